"""The Codebook page: the variable editor with undo, the project context, the prompt preview and history."""
