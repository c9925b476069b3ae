"""The Run page: estimate, start, follow, pause, resume and cancel runs of a project."""
