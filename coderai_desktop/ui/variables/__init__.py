"""The codebook page: a project's variables, imported from and exported to codebook files."""
