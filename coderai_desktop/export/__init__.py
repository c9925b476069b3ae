"""Exporting the dataset and its codebook."""
