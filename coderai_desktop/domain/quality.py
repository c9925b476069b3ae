"""What the Quality page and the codebook document show of each variable: its agreement and verdict, how
much of it was reviewed and corrected, how often the pipeline sends it to review, the prompt version coding
it, the distribution of its values and (categories and booleans) the confusion of the AI's values with the
researchers'. review/quality.py computes it; charts/ draws it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from coderai_desktop.domain.agreement import AgreementReport, VariableAgreement

NO_VALUE = "(no value)"  # the label of an empty value in a confusion matrix
OTHER = "other"  # text values beyond the most frequent ones, counted together
DistributionKind = Literal["bars", "histogram", "none"]


@dataclass(frozen=True)
class Distribution:
    """A variable's current values (the researchers' corrections applied), counted.

    - "bars": `counts[i]` values are `labels[i]` (categories in the codebook's order, Yes/No, the most
      frequent texts then OTHER). A multi-valued variable counts each of a unit's values (`multi`).
    - "histogram": `counts[i]` values fall in [edges[i], edges[i + 1]) (the last bin holds its upper edge);
      `labels[i]` names the bin ("2021", "2021-03", "1,000 to 2,000"); `period` is "year" or "month" for
      dates (edges are then years, a month being a twelfth), None for numbers.
    - "none": no value to count (`missing` may still be > 0).

    `total` is the units holding a value record of the variable; `missing` those among them with no value (an
    empty value, a value that cannot be read, or the model gave no answer)."""

    kind: DistributionKind
    labels: tuple[str, ...] = ()
    counts: tuple[int, ...] = ()
    edges: tuple[float, ...] = ()
    missing: int = 0
    total: int = 0
    multi: bool = False
    period: Literal["year", "month"] | None = None

    @property
    def present(self) -> int:
        """Units with a value."""
        return self.total - self.missing


@dataclass(frozen=True)
class Confusion:
    """The AI's value against the researcher's over the units both coded: `counts[row][column]` units where
    the researcher gave `labels[row]` and the AI `labels[column]` (so the diagonal is agreement)."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    @property
    def n(self) -> int:
        return sum(sum(row) for row in self.counts)

    @property
    def agreed(self) -> int:
        return sum(row[index] for index, row in enumerate(self.counts))


@dataclass(frozen=True)
class VariableQuality:
    name: str
    label: str  # the display name (or the name)
    type: str  # "text", "number", "date", "boolean" or "category" (VariableType's value, lower case)
    agreement: VariableAgreement
    reviewed: int  # current values a researcher reviewed
    errors: int  # of them, corrected (the researcher's value differs from the model's)
    # Share of the current values the pipeline sends to review: flagged (or no usable answer) or below the
    # variable's confidence threshold. None without values.
    flagged_share: float | None
    mean_confidence: float | None  # over the current values that state one
    prompt_version: str | None  # the active prompt coding it, e.g. "grouped:1 v3"
    outdated: int  # current values an older prompt coded (the prompt was refined or edited since)
    distribution: Distribution
    confusion: Confusion | None  # categories and booleans (one value each), when something was compared
    # Enough corrections to learn from: of values the active prompt coded, at least the project's
    # refine_after_errors.
    ready_to_refine: bool


@dataclass(frozen=True)
class QualityReport:
    agreement: AgreementReport
    variables: tuple[VariableQuality, ...]  # in the codebook's order
    refine_after_errors: int

    def get(self, name: str) -> VariableQuality | None:
        return next((item for item in self.variables if item.name == name), None)

    @property
    def ready_to_refine(self) -> tuple[VariableQuality, ...]:
        return tuple(item for item in self.variables if item.ready_to_refine)

    def summary(self) -> str:
        """The agreement's summary sentence, then which variables have enough corrections to refine."""
        text = self.agreement.summary()
        ready = self.ready_to_refine
        if len(ready) == 1:
            item = ready[0]
            text += f" {item.name} has {_corrections(item.errors)} to learn from: refine its prompt."
        elif ready:
            names = [f"{item.name} ({item.errors})" for item in ready]
            listing = ", ".join(names[:-1]) + " and " + names[-1]
            text += f" {listing} have corrections to learn from: refine their prompts."
        return text


def _corrections(count: int) -> str:
    return "1 correction" if count == 1 else f"{count} corrections"
