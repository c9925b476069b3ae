"""Agreement between the AI and human coders, per variable, and whether the model's confidence can route
the review: what the review service measures and the export, the codebook and the window show."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_RELIABILITY = 0.8  # alpha a variable needs before the full corpus (Krippendorff 2004)
TENTATIVE_FLOOR = 0.667  # below it, not even tentative conclusions (Krippendorff 2004)
DEFAULT_TARGET_ACCURACY = 0.95  # what values accepted without review must keep
MIN_UNITS = 10  # fewer compared units than this give no verdict: the interval would span almost everything


class ComparisonKind(StrEnum):
    REVIEW = "review"  # the AI's values against the researcher's review of them (seen, so anchored)
    BLIND = "blind"  # the AI's values against a researcher's own coding, made without seeing them
    HUMANS = "humans"  # two researchers' blind codings: the benchmark the AI is judged against
    SECOND_OPINION = "second opinion"  # the AI against another model (or pass)


class Verdict(StrEnum):
    READY = "ready"  # meets the reliability level: may run on the full corpus
    TENTATIVE = "tentative"  # between the floor and the level: tentative conclusions only
    NEEDS_WORK = "needs work"
    TOO_FEW = "too few units"
    NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class Interval:
    """A 95% bootstrap percentile interval."""

    low: float
    high: float

    def __str__(self) -> str:
        return f"[{self.low:.2f}, {self.high:.2f}]"


@dataclass(frozen=True)
class Comparison:
    """Two coders on one variable, over the units both coded."""

    kind: ComparisonKind
    first: str  # "AI", or a coder's login
    second: str  # "review", a coder's login, or "AI (model)"
    measure: str  # "nominal", "ordinal", "interval" or "set" (multi-valued)
    n: int  # units both coded (the statistics' units)
    missing: int  # units only one of them coded: left out, never counted as agreement
    not_applicable: int  # units where the variable did not apply for either (depends_on): left out
    percent: float | None = None
    normalised: float | None = None  # text: agreement after case, spacing and punctuation are ignored
    kappa: float | None = None
    kappa_ci: Interval | None = None
    alpha: float | None = None
    alpha_ci: Interval | None = None
    ac1: float | None = None
    precision: float | None = None  # sets: the first coder's values that the second also gave
    recall: float | None = None
    f1: float | None = None
    f1_ci: Interval | None = None

    @property
    def label(self) -> str:
        return f"{self.first} vs {self.second}"

    @property
    def reliability(self) -> float | None:
        """The figure a verdict rests on: alpha; F1 for sets; AC1 (then percent) when alpha is undefined
        because nobody's values varied."""
        if self.measure == "set":
            return self.f1
        for figure in (self.alpha, self.ac1, self.percent):
            if figure is not None:
                return figure
        return None

    @property
    def reliability_name(self) -> str:
        if self.measure == "set":
            return "F1"
        return "alpha" if self.alpha is not None else ("AC1" if self.ac1 is not None else "agreement")

    @property
    def reliability_ci(self) -> Interval | None:
        if self.measure == "set":
            return self.f1_ci
        return self.alpha_ci if self.alpha is not None else None


@dataclass(frozen=True)
class Band:
    """Reviewed values with low <= confidence < high (the last band also holds 1.0)."""

    low: float
    high: float
    n: int
    accuracy: float | None  # None: no value in the band
    mean_confidence: float | None


@dataclass(frozen=True)
class Calibration:
    n: int  # reviewed values with a confidence
    accuracy: float | None  # share judged correct
    bands: tuple[Band, ...]  # equal-width bands over [0, 1]
    ece: (
        float | None
    )  # expected calibration error: sum over bands of n_b/n * |accuracy_b - mean_confidence_b|
    target: float  # the accuracy the accepted values must keep
    # The lowest threshold that keeps the target: one of the reviewed confidences, exactly (not rounded, since
    # rounding down could let in values that break the target), or 0.0 when every value can be accepted.
    threshold: float | None
    accepted_accuracy: float | None  # accuracy of the reviewed values at or above the threshold
    flagged_share: float | None  # share of ALL the variable's values below the threshold: what goes to review
    current_threshold: float | None
    current_flagged_share: float | None
    reason: str | None  # why there is no threshold (None when there is one)

    def summary(self) -> str:
        """The suggestion in plain words, or why there is none."""
        if self.threshold is None or self.accepted_accuracy is None:
            text = f"No threshold to suggest: {self.reason}."
        elif self.threshold == 0.0:
            text = (
                f"No value needs to go to review for its confidence: the reviewed values were "
                f"{percent_text(self.accepted_accuracy)} correct (target {percent_text(self.target)})."
            )
        else:
            text = (
                f"At a threshold of {number_text(self.threshold)}, {percent_text(self.flagged_share)} of values would "
                f"go to review and the rest were {percent_text(self.accepted_accuracy)} correct "
                f"(target {percent_text(self.target)})."
            )
        if self.current_threshold is not None and self.current_flagged_share is not None:
            text += (
                f" The current threshold, {number_text(self.current_threshold)}, sends "
                f"{percent_text(self.current_flagged_share)} to review."
            )
        return text


@dataclass(frozen=True)
class VariableAgreement:
    variable: str
    comparisons: tuple[Comparison, ...]
    basis: Comparison | None  # the AI-human comparison the verdict rests on (blind coding before review)
    verdict: Verdict
    calibration: Calibration | None

    def sentence(self, level: float) -> str:
        basis = self.basis
        if basis is None or self.verdict is Verdict.NOT_MEASURED:
            return f"{self.variable}: not measured yet (review or blind-code a sample)."
        if self.verdict is Verdict.TOO_FEW:
            units = "1 unit" if basis.n == 1 else f"{basis.n} units"
            return f"{self.variable}: only {units} compared; {MIN_UNITS} are needed for a verdict."
        figure = f"{basis.reliability_name} {basis.reliability:.2f}"
        if basis.reliability_ci is not None:
            figure += f" {basis.reliability_ci}"
        words = {
            Verdict.READY: f"meets {level:g}: may run on the full corpus",
            Verdict.TENTATIVE: f"below {level:g} but above {TENTATIVE_FLOOR:g}: tentative only",
            Verdict.NEEDS_WORK: f"below {TENTATIVE_FLOOR:g}: needs work",
        }
        return f"{self.variable}: {figure} on {basis.n} units ({basis.label}), {words[self.verdict]}."


@dataclass(frozen=True)
class AgreementReport:
    level: float
    target_accuracy: float
    variables: tuple[VariableAgreement, ...]

    def get(self, name: str) -> VariableAgreement | None:
        return next((item for item in self.variables if item.variable == name), None)

    def summary(self) -> str:
        """Which variables may run on the full corpus and which need work, in one sentence."""
        ready = [v.variable for v in self.variables if v.verdict is Verdict.READY]
        work = [v.variable for v in self.variables if v.verdict in (Verdict.TENTATIVE, Verdict.NEEDS_WORK)]
        unmeasured = [
            v.variable for v in self.variables if v.verdict in (Verdict.TOO_FEW, Verdict.NOT_MEASURED)
        ]
        measure = (
            "alpha"
            if all(v.basis is None or v.basis.measure != "set" for v in self.variables)
            else "reliability"
        )
        text = f"{len(ready)} of {len(self.variables)} variables meet {measure} >= {self.level:g}"
        if work:
            text += f"; refine {_listing(work)}"
        if unmeasured:
            text += (
                f"; {_listing(unmeasured)} {'needs' if len(unmeasured) == 1 else 'need'} more reviewed units"
            )
        return text + "."


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def percent_text(share: float | None) -> str:
    # Floor, not round: 94.7% accurate must not read as 95% next to a 95% target.
    return "?" if share is None else f"{math.floor(share * 100 + 1e-9)}%"


def number_text(value: float) -> str:
    return f"{float(value):g}"
