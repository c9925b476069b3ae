"""The quality report of a project: per variable, its agreement (measured by review/agreement.py), how much
was reviewed and corrected, the share the pipeline sends to review, the prompt version coding it, the
distribution of its current values (corrections applied) and the confusion of the AI's values with the
researchers'. What the Quality page lists and the codebook document draws."""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np

from coderai_desktop.domain.agreement import AgreementReport, VariableAgreement, Verdict
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.codebook_rules import is_finite_number, is_partial_iso_date
from coderai_desktop.domain.dataset import FLAGGED_STATUSES
from coderai_desktop.domain.enums import VariableType
from coderai_desktop.domain.quality import (
    NO_VALUE,
    OTHER,
    Confusion,
    Distribution,
    QualityReport,
    VariableQuality,
)
from coderai_desktop.review.feedback import error_count, is_empty
from coderai_desktop.review.records import AIValue, ProjectRecords, UnitKey


class ActivePrompt(NamedTuple):
    """The prompt version that codes a variable now."""

    id: int
    label: str  # "grouped:1 v3"


TOP_TEXTS = 10  # a text variable's most frequent values shown; the rest are counted as OTHER
MIN_BINS, MAX_BINS = 10, 20  # of a number's histogram
MAX_PERIODS = 20  # bars of a date histogram: years, or 2, 5, 10... years each when they span more
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
YES, NO = "Yes", "No"
UNREADABLE = object()  # a value that cannot be read as the variable's type (e.g. coded under an older type)


def quality_report(
    records: ProjectRecords,
    agreement: AgreementReport,
    prompt_versions: dict[str, ActivePrompt],
    refine_after_errors: int,
) -> QualityReport:
    """`agreement` is measure_agreement(records) (a variable it leaves out counts as not measured);
    `prompt_versions` the active prompt version of each variable."""
    variables = []
    for spec in records.variables:
        measured = agreement.get(spec.name) or VariableAgreement(
            spec.name, (), None, Verdict.NOT_MEASURED, None
        )
        variables.append(
            _variable(records, spec, measured, prompt_versions.get(spec.name), refine_after_errors)
        )
    return QualityReport(agreement, tuple(variables), refine_after_errors)


def _variable(
    records: ProjectRecords,
    spec: VariableSpec,
    agreement: VariableAgreement,
    prompt: ActivePrompt | None,
    refine_after_errors: int,
) -> VariableQuality:
    values = list(records.values.get(spec.name, {}).values())
    errors = error_count(records, spec)
    # Corrections of values the active prompt coded: those of an older prompt were learnt from already (a
    # refinement) or no longer say anything about the prompt (an edit).
    current = error_count(records, spec, prompt.id) if prompt is not None else errors
    outdated = sum(1 for v in values if prompt is not None and v.prompt_id not in (None, prompt.id))
    confidences = [v.confidence for v in values if v.confidence is not None and not v.failed]
    flagged = sum(1 for value in values if _sent_to_review(spec, value))
    return VariableQuality(
        name=spec.name,
        label=spec.label,
        type=spec.type.value.lower(),
        agreement=agreement,
        reviewed=sum(1 for value in values if value.extraction_id in records.reviews),
        errors=errors,
        flagged_share=flagged / len(values) if values else None,
        mean_confidence=sum(confidences) / len(confidences) if confidences else None,
        prompt_version=prompt.label if prompt is not None else None,
        outdated=outdated,
        distribution=distribution(spec, [current_value(records, value) for value in values]),
        confusion=confusion(records, spec),
        ready_to_refine=current > 0 and current >= refine_after_errors,
    )


def _sent_to_review(spec: VariableSpec, value: AIValue) -> bool:
    """Flagged by the pipeline (or no usable answer), or below the variable's confidence threshold."""
    if value.status in FLAGGED_STATUSES:
        return True
    return value.confidence is not None and value.confidence < spec.confidence_threshold


def current_value(records: ProjectRecords, value: AIValue) -> Any:
    """What the dataset holds: the researcher's value where they reviewed it; None where the model gave no
    usable answer and nobody supplied one."""
    review = records.reviews.get(value.extraction_id)
    if review is not None:
        return review.human_value(value.value)
    return None if value.failed else value.value


# Distributions


def distribution(spec: VariableSpec, values: list[Any]) -> Distribution:
    """The distribution of one value per unit (a list for a multi-valued variable)."""
    read = _READERS[spec.type]
    items: list[Any] = []
    missing = 0
    for value in values:
        listed = value if isinstance(value, list) else [value]
        readable = [item for v in listed if not is_empty(v) and (item := read(v)) is not UNREADABLE]
        if not readable:
            missing += 1
        items.extend(readable if spec.is_multi_valued else readable[:1])
    base: dict[str, Any] = {"missing": missing, "total": len(values), "multi": spec.is_multi_valued}
    if not items:
        return Distribution("none", **base)
    if spec.type is VariableType.NUMBER:
        return _number_histogram(items, base)
    if spec.type is VariableType.DATE:
        return _date_histogram(items, base)
    if spec.type is VariableType.BOOLEAN:
        counts = Counter(items)
        return Distribution("bars", (YES, NO), (counts[True], counts[False]), **base)
    if spec.type is VariableType.CATEGORY:
        return _category_bars(spec, items, base)
    return _text_bars(items, base)


def _category_bars(spec: VariableSpec, items: list[str], base: dict[str, Any]) -> Distribution:
    """Every category of the codebook in its order (a category nobody gave shows as 0), then values the
    codebook no longer has, most frequent first."""
    counts = Counter(items)
    known = [category.value for category in spec.categories]
    others = sorted((key for key in counts if key not in known), key=lambda key: (-counts[key], key))
    labels = [_category_label(spec, key) for key in known] + others
    return Distribution("bars", tuple(labels), tuple(counts[key] for key in [*known, *others]), **base)


def _text_bars(items: list[str], base: dict[str, Any]) -> Distribution:
    """The TOP_TEXTS most frequent values (ignoring case and spacing; shown as most often written), then the
    rest as OTHER."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for item in items:
        key = item.casefold()
        counts[key] += 1
        spellings.setdefault(key, Counter())[item] += 1
    ranked = sorted(counts, key=lambda key: (-counts[key], _natural(key)))
    top = ranked[:TOP_TEXTS]
    labels = [spellings[key].most_common(1)[0][0] for key in top]
    numbers = [counts[key] for key in top]
    rest = sum(counts[key] for key in ranked[TOP_TEXTS:])
    if rest:
        labels.append(OTHER)
        numbers.append(rest)
    return Distribution("bars", tuple(labels), tuple(numbers), **base)


def _natural(text: str) -> list[Any]:
    """Sorts "topic 2" before "topic 10"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _number_histogram(numbers: list[float], base: dict[str, Any]) -> Distribution:
    low, high = min(numbers), max(numbers)
    if all(number.is_integer() for number in numbers) and high - low < MAX_BINS:
        # Whole numbers over a short range (years, counts, scores): one bar per number.
        edges = [low - 0.5 + step for step in range(int(high - low) + 2)]
        counts = [sum(1 for number in numbers if number == low + step) for step in range(len(edges) - 1)]
        labels = [_number_text(low + step) for step in range(len(counts))]
        return Distribution("histogram", tuple(labels), tuple(counts), tuple(edges), **base)
    # Sturges' rule (numpy's "auto" can ask for millions of bins when a few values lie far out).
    bins = math.ceil(math.log2(len(numbers))) + 1
    found, bin_edges = np.histogram(numbers, bins=min(MAX_BINS, max(MIN_BINS, bins)))
    edges = [float(edge) for edge in bin_edges]
    labels = [f"{_number_text(a)} to {_number_text(b)}" for a, b in pairwise(edges)]
    return Distribution(
        "histogram", tuple(labels), tuple(int(count) for count in found), tuple(edges), **base
    )


def _date_histogram(dates: list[tuple[int, int | None]], base: dict[str, Any]) -> Distribution:
    """By month when every date is in one year and gives its month; else by year (or by 2, 5, 10... years
    when they span more than MAX_PERIODS). Edges are years (a month is a twelfth of one)."""
    years = [year for year, _ in dates]
    low, high = min(years), max(years)
    months = [month for _, month in dates]
    if low == high and all(month is not None for month in months):
        first, last = min(m for m in months if m), max(m for m in months if m)
        counts = Counter(months)
        return Distribution(
            "histogram",
            tuple(f"{low}-{month:02d}" for month in range(first, last + 1)),
            tuple(counts[month] for month in range(first, last + 1)),
            tuple(low + (month - 1) / 12 for month in range(first, last + 2)),
            period="month",
            **base,
        )
    step = next(s for s in YEAR_STEPS if math.ceil((high - low + 1) / s) <= MAX_PERIODS)
    start = low - low % step
    periods = (high - start) // step + 1
    counts = Counter((year - start) // step for year in years)
    starts = [start + index * step for index in range(periods)]
    labels = [str(year) if step == 1 else f"{year}–{year + step - 1}" for year in starts]
    return Distribution(
        "histogram",
        tuple(labels),
        tuple(counts[index] for index in range(periods)),
        tuple(float(year) for year in [*starts, start + periods * step]),
        period="year",
        **base,
    )


def _number_text(number: float) -> str:
    if number.is_integer() and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:,.0f}" if abs(number) >= 1e4 else f"{number:.4g}"


def _read_number(value: Any) -> Any:
    return float(value) if is_finite_number(value) else UNREADABLE


def _read_date(value: Any) -> Any:
    if not is_partial_iso_date(value):
        return UNREADABLE
    parts = [int(part) for part in value.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else None)


def _read_boolean(value: Any) -> Any:
    return value if isinstance(value, bool) else UNREADABLE


def _read_text(value: Any) -> Any:
    text = " ".join(str(value).split())
    return text or UNREADABLE


_READERS = {
    VariableType.NUMBER: _read_number,
    VariableType.DATE: _read_date,
    VariableType.BOOLEAN: _read_boolean,
    VariableType.CATEGORY: lambda value: str(value),
    VariableType.TEXT: _read_text,
}


# Confusion


def confusion(records: ProjectRecords, spec: VariableSpec) -> Confusion | None:
    """The AI's values against the researcher's, for a category or boolean variable with one value per unit:
    over the units the AI coded and a researcher reviewed (or, where nobody reviewed a unit, blind-coded:
    the coder who coded most of the variable's units). None when no unit was compared."""
    if spec.type not in (VariableType.CATEGORY, VariableType.BOOLEAN) or spec.is_multi_valued:
        return None
    blind = _blind_coding(records, spec.name)
    pairs: list[tuple[str, str]] = []
    for unit, value in records.values.get(spec.name, {}).items():
        if value.failed:
            continue
        review = records.reviews.get(value.extraction_id)
        if review is not None:
            human = review.human_value(value.value)
        elif unit in blind:
            human = blind[unit]
        else:
            continue
        pairs.append((_confusion_label(spec, human), _confusion_label(spec, value.value)))
    if not pairs:
        return None
    labels = _confusion_labels(spec, {label for pair in pairs for label in pair})
    index = {label: position for position, label in enumerate(labels)}
    counts = [[0] * len(labels) for _ in labels]
    for human, ai in pairs:
        counts[index[human]][index[ai]] += 1
    return Confusion(tuple(labels), tuple(tuple(row) for row in counts))


def _blind_coding(records: ProjectRecords, name: str) -> dict[UnitKey, Any]:
    coded = [
        (coder, codings[name]) for coder, codings in sorted(records.codings.items()) if codings.get(name)
    ]
    return max(coded, key=lambda pair: len(pair[1]))[1] if coded else {}


def _confusion_label(spec: VariableSpec, value: Any) -> str:
    if is_empty(value):
        return NO_VALUE
    if spec.type is VariableType.BOOLEAN:
        return {True: YES, False: NO}.get(value, str(value)) if isinstance(value, bool) else str(value)
    return _category_label(spec, str(value))


def _confusion_labels(spec: VariableSpec, present: set[str]) -> list[str]:
    """Yes and No (always), or the categories given on either side in the codebook's order; then values the
    codebook does not have; then NO_VALUE."""
    if spec.type is VariableType.BOOLEAN:
        known = [YES, NO]
    else:
        known = [label for c in spec.categories if (label := _category_label(spec, c.value)) in present]
    others = sorted(present - set(known) - {NO_VALUE})
    return known + others + ([NO_VALUE] if NO_VALUE in present else [])


def _category_label(spec: VariableSpec, value: str) -> str:
    category = next((c for c in spec.categories if c.value == value), None)
    return value if category is None else (category.label or category.value)
