"""The New Project wizard."""
