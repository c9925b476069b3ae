"""Accounts, workspaces and secrets."""
