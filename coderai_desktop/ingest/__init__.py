"""Reading documents: one reader per format, encoding detection, chunking, and the importer."""
