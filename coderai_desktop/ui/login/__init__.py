"""Log in, or create an account (and with it a workspace)."""
