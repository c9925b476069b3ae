"""Which documents travel together in one call, and what a pack is expected to cost.

Only document-level projects pack. A document that is cut into chunks, or whose text reaches the
provider's pack_document_tokens, goes alone; short ones join a pack while its text stays under
the provider's packing budget (0: off; ProviderSettings.packing) and its answer has room for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from coderai_desktop.llm.client import Usage
from coderai_desktop.llm.packing import ID, block, most_documents, packed_plan
from coderai_desktop.pipeline.extractor import DocumentInput
from coderai_desktop.pipeline.planning import CONTEXT_MARGIN, RunSetup
from coderai_desktop.pipeline.token_estimates import cached_prefix, expected_by_model, plan_prefix
from coderai_desktop.text_tokens import estimate_tokens


@dataclass(frozen=True)
class PackRule:
    budget: int  # tokens of text a pack stays under (0: no packing)
    alone_from: int  # a document of this many tokens or more goes alone
    most: int  # documents a packed answer has room for
    # The model's context beside the packed prompt (None: not counted), and each document's answer budget:
    # a pack's text and its answer must fit in it.
    room: int | None = None
    answer: int = 0

    @classmethod
    def of(cls, setup: RunSetup) -> PackRule:
        settings = setup.settings
        # A variable named "id" would collide with the block id of the packed answer.
        off = setup.entity_plan is not None or any(variable.name == ID for variable in setup.variables)
        budget = 0 if off else settings.packing
        strict = settings.uses_strict_schema
        prompt = max(plan_prefix(packed_plan(plan), strict=strict) for plan in setup.plans)
        room = int(settings.context_tokens * (1 - CONTEXT_MARGIN)) - prompt
        answer = max(plan.max_tokens for plan in setup.plans)
        return cls(budget, settings.pack_document_tokens, most_documents(setup.plans), room, answer)

    @property
    def on(self) -> bool:
        return self.budget > 0

    def alone(self, document: DocumentInput) -> bool:
        return not self.on or len(document.chunks) > 1 or text_tokens(document) >= self.alone_from

    def fits(self, pack: list[DocumentInput], document: DocumentInput) -> bool:
        """Whether `document` may join `pack` (which is not empty)."""
        if len(pack) >= self.most or any(self.alone(member) for member in (*pack, document)):
            return False
        text = sum(text_tokens(member) for member in (*pack, document))
        in_context = self.room is None or text + (len(pack) + 1) * self.answer <= self.room
        return text < self.budget and in_context


class Packer:
    """Forms packs of documents given one by one, in order, as a run forms them."""

    def __init__(self, rule: PackRule):
        self._rule = rule
        self._pack: list[DocumentInput] = []

    def add(self, document: DocumentInput) -> list[DocumentInput] | None:
        """The pack `document` closed by not fitting in it, if it did."""
        if self._pack and not self._rule.fits(self._pack, document):
            closed, self._pack = self._pack, [document]
            return closed
        self._pack.append(document)
        return None

    def close(self) -> list[DocumentInput] | None:
        """The last pack, if any."""
        closed, self._pack = self._pack, []
        return closed or None


def text_tokens(document: DocumentInput) -> int:
    return estimate_tokens(document.text)


@dataclass(frozen=True)
class Expected:
    """What coding some documents is expected to take: calls, and each model's tokens."""

    calls: int = 0
    by_model: Mapping[str, Usage] = field(default_factory=dict)

    def __add__(self, other: Expected) -> Expected:
        by_model = dict(self.by_model)
        for model, usage in other.by_model.items():
            by_model[model] = by_model.get(model, Usage()) + usage
        return Expected(self.calls + other.calls, by_model)

    @property
    def usage(self) -> Usage:
        return sum(self.by_model.values(), Usage())

    @property
    def input_tokens(self) -> int:
        return self.usage.input_tokens

    @property
    def output_tokens(self) -> int:
        return self.usage.output_tokens

    @property
    def cached_tokens(self) -> int:
        return self.usage.cached_tokens

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def expected(setup: RunSetup, pack: list[DocumentInput], seen: set[str] | None = None) -> Expected:
    """A pack of one is coded as a document alone; a larger one in one call per plan. `seen`: the kinds of
    call the run has already sent, whose prefix the provider's cache then serves (None: none counted)."""
    if len(pack) == 1:
        document = pack[0]
        calls = len(setup.all_plans) * max(1, len(document.chunks))
        return Expected(calls, expected_by_model(setup, document, seen))
    strict = setup.settings.uses_strict_schema
    blocks = sum(estimate_tokens(block(number, document.text)) for number, document in enumerate(pack, 1))
    total = Expected()
    for plan in setup.plans:
        prefix = plan_prefix(packed_plan(plan), strict=strict)
        cached = cached_prefix(f"packed {plan.scope_key}", prefix, seen)
        usage = Usage(prefix + blocks, len(pack) * (plan.max_tokens // 2), cached)
        total += Expected(1, {plan.model or setup.settings.model: usage})
    return total


def shares(total: int, count: int) -> list[int]:
    """`total` split into `count` whole shares that add up to it (the first ones one larger)."""
    low, extra = divmod(total, count)
    return [low + (1 if index < extra else 0) for index in range(count)]


def usage_shares(usage: Usage, count: int) -> list[Usage]:
    """A packed call's usage shared among its documents, to the token."""
    parts = zip(
        shares(usage.input_tokens, count),
        shares(usage.output_tokens, count),
        shares(usage.cached_tokens, count),
        strict=True,
    )
    return [Usage(tokens_in, tokens_out, cached) for tokens_in, tokens_out, cached in parts]
