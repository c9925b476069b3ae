"""The co-pilot panel: codebook proposals as cards to accept, edit or reject."""
