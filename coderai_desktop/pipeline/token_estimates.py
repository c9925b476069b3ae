"""Tokens a document is expected to take, from the messages its calls would send: for the budget a run
reserves before each call, and the estimate shown before a run. Each model's tokens apart (a variable may
have its own), and the prompt tokens the provider's cache is expected to serve."""

from __future__ import annotations

from functools import lru_cache

from coderai_desktop.llm.client import Usage
from coderai_desktop.llm.prompts import CallPlan, as_data, document_message, prefix_messages
from coderai_desktop.pipeline.extractor import DocumentInput
from coderai_desktop.pipeline.planning import RunSetup
from coderai_desktop.text_tokens import estimate_tokens

# OpenAI and Azure cache a prompt's prefix once it is this long; shorter prompts are billed in full.
CACHEABLE_FROM = 1024

# The prefix of a plan is the same text in every call of a run: counted once.
prefix_tokens = lru_cache(maxsize=256)(estimate_tokens)


def plan_prefix(plan: CallPlan, *, strict: bool) -> int:
    """The tokens every call of `plan` repeats: what the provider's cache serves after its first call."""
    return sum(prefix_tokens(message["content"]) for message in prefix_messages(plan, strict=strict))


def cached_prefix(plan_key: str, prefix: int, seen: set[str] | None) -> int:
    """The prefix tokens a call is expected to read from cache: none for the first call of its kind in the
    run (`seen` holds the kinds already sent, and gains this one) or a prefix too short to be cached."""
    if seen is None:
        return 0
    cached = prefix if plan_key in seen and prefix >= CACHEABLE_FROM else 0
    seen.add(plan_key)
    return cached


def expected_by_model(
    setup: RunSetup, document: DocumentInput, seen: set[str] | None = None
) -> dict[str, Usage]:
    """Each model's input, output and cached tokens for a document coded alone (an entity project: as if it
    had one entity); an answer is expected to use half its max_tokens."""
    chunks = [document.text[span.start : span.end] for span in document.chunks] or [document.text]
    strict = setup.settings.uses_strict_schema
    by_model: dict[str, Usage] = {}
    for plan in setup.all_plans:
        prefix = plan_prefix(plan, strict=strict)
        entity = "" if plan.per_entity else None
        model = plan.model or setup.settings.model
        for chunk in chunks:
            sent = prefix + estimate_tokens(document_message(as_data(chunk), entity))
            call = Usage(sent, plan.max_tokens // 2, cached_prefix(plan.scope_key, prefix, seen))
            by_model[model] = by_model.get(model, Usage()) + call
    return by_model


def document_usage(setup: RunSetup, document: DocumentInput) -> Usage:
    """Every model's tokens for a document coded alone, together."""
    return sum(expected_by_model(setup, document).values(), Usage())
