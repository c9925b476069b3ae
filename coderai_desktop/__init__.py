"""CoderAI Desktop: turn a corpus of documents into a research dataset with LLMs."""

__version__ = "0.1.0"
