"""One module per file format; each writes a finished export to the path it is given."""
