"""The Documents page: import by drag and drop or file dialogs, follow progress, see how each file was read."""
