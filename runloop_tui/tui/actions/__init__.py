"""The browser's object actions (upload, delete, URLs, download, preview, export, cleanup).

Plain collaborators of the browser screen, each given its dependencies (see `actions.host`):
`transfer_runner.TransferRunner`, `deletes.Deleter`, `share.Sharer`, `exporting.Exporter`;
and `commands.ViewCommands`, the built-in cleanup views and saved views in the palette.
(Kept empty so the collaborators import without a cycle.)
"""
