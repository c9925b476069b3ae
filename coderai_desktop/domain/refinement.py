"""Prompt refinement: the errors a researcher's corrections show, the split of the reviewed documents into a
refinement set and a held-out set, the revisions an LLM proposes from the refinement set, and how each does
on the held-out set."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from coderai_desktop.domain.agreement import Interval
from coderai_desktop.domain.codebook import VariableSpec, WorkedExample

DEFAULT_REFINE_AFTER_ERRORS = 10  # corrections of a variable that make refining its prompt worth it
MIN_PROPOSALS, MAX_PROPOSALS = 1, 3
DEFAULT_PROPOSALS = 3
MAX_WORKED_EXAMPLES = 6  # a variable keeps its latest worked examples, not every one ever proposed
HELD_OUT_SHARE = 0.3  # of the reviewed documents, kept away from the refiner to measure the proposals


class ErrorKind(StrEnum):
    MISSED = "missed value"  # the model found nothing; the document has a value
    SHOULD_BE_EMPTY = "should be empty"  # the model gave a value; the document has none
    EXTRA = "extra values"  # several values: the model gave values that are not there
    NOT_IN_TEXT = "value not in the text"  # the model's quote is not in the document
    OTHER_VARIABLE = "confused with another variable"  # the value belongs to another variable
    WRONG_CATEGORY = "wrong category"
    FORMAT = "wrong format or unit"  # the same value written another way (unit, precision, spelling)
    WRONG_VALUE = "wrong value"


class RefinementStatus(StrEnum):
    PROPOSED = "proposed"  # proposals made, not yet tried on the held-out set
    EVALUATED = "evaluated"  # tried on the held-out set; waiting for the researcher's choice
    CHOSEN = "chosen"  # a proposal became the variable's prompt
    KEPT = "kept"  # the researcher kept the current prompt


@dataclass(frozen=True)
class FeedbackItem:
    """One reviewed value of a variable: what the model said, what the researcher said, and (when they
    differ) what kind of error it was."""

    extraction_id: int
    document_id: int
    document: str  # file name
    entity_index: int | None
    entity: str | None
    ai_value: Any
    human_value: Any
    confidence: float | None
    quote: str | None
    page: int | None
    note: str | None  # the researcher's note on the review
    kind: ErrorKind | None  # None: the model was right
    other_variable: str | None = None  # OTHER_VARIABLE: the variable whose value it was

    @property
    def correct(self) -> bool:
        return self.kind is None

    @property
    def unit(self) -> tuple[int, int | None]:
        return (self.document_id, self.entity_index)


@dataclass(frozen=True)
class FeedbackAnalysis:
    variable: str
    items: tuple[FeedbackItem, ...]  # every reviewed value, errors first
    refine_after_errors: int

    @property
    def errors(self) -> tuple[FeedbackItem, ...]:
        return tuple(item for item in self.items if not item.correct)

    @property
    def by_kind(self) -> dict[ErrorKind, int]:
        counts: dict[ErrorKind, int] = {}
        for item in self.errors:
            assert item.kind is not None
            counts[item.kind] = counts.get(item.kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda pair: -pair[1]))

    @property
    def ready(self) -> bool:
        """Enough corrections to learn from."""
        return len(self.errors) >= self.refine_after_errors

    def summary(self) -> str:
        errors = self.errors
        if not self.items:
            return f"{self.variable}: no reviewed values yet."
        kinds = "; ".join(f"{kind} {count}" for kind, count in self.by_kind.items())
        text = f"{self.variable}: {len(errors)} of {len(self.items)} reviewed values corrected"
        return text + (f" ({kinds})." if kinds else ".")


@dataclass(frozen=True)
class Split:
    """Reviewed documents the refiner may read, and those kept to measure its proposals (never shown to it)."""

    seed: int
    refinement: tuple[int, ...]  # document ids
    held_out: tuple[int, ...]

    def __post_init__(self) -> None:
        if set(self.refinement) & set(self.held_out):
            raise ValueError("a document is in both the refinement and the held-out set")


@dataclass(frozen=True)
class ProposedExample:
    quote: str
    value: Any
    explanation: str | None
    document_id: int  # a document of the refinement set (checked: never a held-out one)
    document: str


@dataclass(frozen=True)
class ProposalChanges:
    """What a proposal changes in the variable (None: left as it is)."""

    instructions: str | None = None
    classification_rules: str | None = None
    category_definitions: dict[str, str] = field(default_factory=dict)  # category value -> new definition
    examples: tuple[ProposedExample, ...] = ()


@dataclass(frozen=True)
class HeldOutResult:
    """A prompt's agreement with the researcher on the held-out units."""

    n: int  # units compared
    measure: str  # "alpha", "F1", "AC1" or "agreement"
    reliability: float | None
    interval: Interval | None
    percent: float | None  # share of units where the values match
    failed: int = 0  # units the model gave no answer for

    @property
    def figure(self) -> str:
        """'alpha 0.85 [0.70, 0.95]', or 'not measurable'."""
        if self.reliability is None:
            return "not measurable"
        figure = f"{self.measure} {round(self.reliability, 2) + 0.0:.2f}"  # never "-0.00"
        return figure + (f" {self.interval}" if self.interval is not None else "")

    def text(self) -> str:
        if self.reliability is None:
            return f"not measurable on {self.n} units"
        identical = f", {self.percent:.0%} identical" if self.percent is not None else ""
        return f"{self.figure}{identical} on {self.n} units"


@dataclass(frozen=True)
class Proposal:
    title: str
    rationale: str
    changes: ProposalChanges
    prompt_before: str  # the variable's part of the prompt, as sent, before and after the change
    prompt_after: str
    result: HeldOutResult | None = None  # None until evaluated
    cost: float = 0.0  # of its evaluation


@dataclass(frozen=True)
class EvaluationEstimate:
    documents: int
    proposals: int
    calls: int
    input_tokens: int
    output_tokens: int
    cost: float  # at the provider's prices; 0 for a local server

    def text(self) -> str:
        return (
            f"Re-coding {self.documents} held-out documents with {self.proposals} proposals: {self.calls} calls, "
            f"about {self.input_tokens:,} tokens in and {self.output_tokens:,} out, ${self.cost:,.2f}."
        )


@dataclass(frozen=True)
class RefinementInfo:
    id: int
    project_id: int
    variable: str
    status: RefinementStatus
    split: Split
    errors: tuple[FeedbackItem, ...]  # the refinement set's and the held-out set's, as analysed then
    proposals: tuple[Proposal, ...]
    baseline: HeldOutResult | None  # the current prompt's values on the held-out units
    chosen: int | None
    prompt_versions: tuple[str, ...]  # e.g. "grouped:1 v4": the versions the choice made
    cost: float  # of the proposals and the evaluations
    created_at: datetime
    author: str | None

    @property
    def chosen_proposal(self) -> Proposal | None:
        """The proposal that became the prompt (None: undecided, or the current prompt was kept)."""
        return self.proposals[self.chosen] if self.chosen is not None else None

    @property
    def best(self) -> int | None:
        """The tested proposal with the highest held-out reliability, if it does better there than the current
        prompt (None before testing, or when none does)."""
        tested = [
            (index, proposal.result.reliability)
            for index, proposal in enumerate(self.proposals)
            if proposal.result is not None and proposal.result.reliability is not None
        ]
        if not tested:
            return None
        index, reliability = max(tested, key=lambda pair: pair[1])  # the first of equals
        before = self.baseline.reliability if self.baseline is not None else None
        return index if before is None or reliability > before else None

    def clearly_better(self, index: int) -> bool:
        """Proposal `index`'s interval lies above the current prompt's: more than the chance of a few units."""
        result = self.proposals[index].result
        before = self.baseline
        if result is None or result.interval is None or before is None or before.interval is None:
            return False
        return result.interval.low > before.interval.high


def revised(spec: VariableSpec, changes: ProposalChanges) -> VariableSpec:
    """The variable with a proposal's changes: new examples join the current ones (the latest kept)."""
    data = spec.model_dump()
    if changes.instructions is not None:
        data["instructions"] = changes.instructions
    if changes.classification_rules is not None:
        data["classification_rules"] = changes.classification_rules
    for category in data["categories"]:
        category["definition"] = changes.category_definitions.get(category["value"], category["definition"])
    if changes.examples:
        new = [
            WorkedExample(
                quote=example.quote,
                value=example.value,
                explanation=example.explanation,
                source=example.document,
                document_id=example.document_id,
            ).model_dump()
            for example in changes.examples
        ]
        quotes = {example["quote"] for example in new}
        kept = [example for example in data["examples"] if example["quote"] not in quotes]
        data["examples"] = (kept + new)[-MAX_WORKED_EXAMPLES:]
    return VariableSpec.model_validate(data)
