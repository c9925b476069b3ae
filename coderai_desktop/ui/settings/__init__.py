"""Settings dialogs (API keys)."""
