"""Projects and their codebooks: the service the GUI and the CLI share, and codebook files."""
