"""Talking to LLMs: prompts from the codebook, JSON schemas, structured calls that survive flaky providers."""
