"""The browser's object actions (upload, delete, URLs, download, preview, export, cleanup).

Import from the submodules: `actions.mixin.ObjectActions`, `actions.commands.ViewCommands`.
(Kept empty so the modals can import `actions.bulk` without a cycle.)
"""
