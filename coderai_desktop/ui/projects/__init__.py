"""The project list and the project overview page."""
