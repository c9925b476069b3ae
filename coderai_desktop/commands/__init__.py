"""Headless commands: each module registers its subcommands and calls the same services as the GUI."""
