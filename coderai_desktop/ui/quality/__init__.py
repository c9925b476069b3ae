"""The Quality page: agreement per variable, its charts, and prompt refinement."""
