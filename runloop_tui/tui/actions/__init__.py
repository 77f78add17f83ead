"""The browser's object actions (upload, delete, URLs, download, preview, export, cleanup).

<<<<<<< HEAD
Plain collaborators of the browser screen, each given its dependencies (see `actions.host`):
`transfer_runner.TransferRunner`, `deletes.Deleter`, `share.Sharer`, `exporting.Exporter`;
and `commands.ViewCommands`, the built-in cleanup views and saved views in the palette.
(Kept empty so the collaborators import without a cycle.)
=======
Import from the submodules: `actions.mixin.ObjectActions`, `actions.commands.ViewCommands`.
(Kept empty so the modals can import `actions.bulk` without a cycle.)
>>>>>>> h-web
"""
