"""Agreement per variable, between the AI and the researchers (their review, their blind codings), between
researchers, and between the AI and a second opinion; the verdict at the project's reliability level; and
the calibration of the model's confidence on the units compared."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import combinations
from typing import Any

from coderai_desktop.domain.agreement import (
    MIN_UNITS,
    TENTATIVE_FLOOR,
    AgreementReport,
    Calibration,
    Comparison,
    ComparisonKind,
    VariableAgreement,
    Verdict,
)
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.codebook_rules import is_partial_iso_date
from coderai_desktop.domain.conditions import condition_met
from coderai_desktop.domain.enums import VariableType
from coderai_desktop.review.calibration import calibrate
from coderai_desktop.review.records import AI, REVIEW, AIValue, ProjectRecords, UnitKey
from coderai_desktop.review.statistics import (
    MISSING,
    Level,
    normalise_text,
    pair_agreement,
    set_agreement,
    text_agreement,
)

NOT_APPLICABLE = object()  # the variable does not apply to the unit for this coder (depends_on)
Codes = dict[UnitKey, Any]  # a coder's values of one variable, by unit


def measure_agreement(
    records: ProjectRecords,
    *,
    level: float | None = None,
    variable: str | None = None,
    bootstrap: int = 1000,
) -> AgreementReport:
    level = records.reliability_level if level is None else level
    specs = [spec for spec in records.variables if variable is None or spec.name == variable]
    return AgreementReport(
        level,
        records.target_accuracy,
        tuple(_variable_agreement(records, spec, level, bootstrap) for spec in specs),
    )


def _variable_agreement(
    records: ProjectRecords, spec: VariableSpec, level: float, bootstrap: int
) -> VariableAgreement:
    ai_values = records.values.get(spec.name, {})
    ai = _sided(records, spec, {unit: v.value for unit, v in ai_values.items() if not v.failed}, None)
    code = _coder(spec)
    compared: list[tuple[Comparison, Paired]] = []

    def compare(kind: ComparisonKind, names: tuple[str, str], first: Codes, second: Codes) -> None:
        paired = _pair(code, kind, first, second)
        compared.append((_statistics(spec, kind, names, paired, bootstrap), paired))

    reviewed = {
        unit: review.human_value(value.value)
        for unit, value in ai_values.items()
        if (review := records.reviews.get(value.extraction_id)) is not None
    }
    if reviewed:
        compare(ComparisonKind.REVIEW, (AI, REVIEW), ai, _sided(records, spec, reviewed, REVIEW))
    coders = sorted(coder for coder, codings in records.codings.items() if codings.get(spec.name))
    blind = {coder: _sided(records, spec, records.codings[coder][spec.name], coder) for coder in coders}
    for coder in coders:
        compare(ComparisonKind.BLIND, (AI, coder), ai, blind[coder])
    for first, second in combinations(coders, 2):
        compare(ComparisonKind.HUMANS, (first, second), blind[first], blind[second])
    for label, opinions in sorted(records.second.items()):
        if other := opinions.get(spec.name):
            compare(
                ComparisonKind.SECOND_OPINION,
                (AI, label),
                ai,
                _sided(records, spec, other, label, second=True),
            )
    comparisons = tuple(comparison for comparison, _ in compared)
    basis = _basis(comparisons)
    paired = next((pairs for comparison, pairs in compared if comparison is basis), None)
    return VariableAgreement(
        spec.name,
        comparisons,
        basis,
        _verdict(basis, level),
        _calibration(records, spec, ai_values, paired),
    )


def _sided(
    records: ProjectRecords, spec: VariableSpec, codes: Codes, coder: str | None, *, second: bool = False
) -> Codes:
    """A coder's values with NOT_APPLICABLE where, by that coder's own value of the variable it depends
    on, the variable does not apply."""
    dependency = spec.depends_on
    if dependency is None or dependency.variable not in {v.name for v in records.variables}:
        return codes
    parents = _parent_values(records, dependency.variable, coder, second)
    return {
        unit: NOT_APPLICABLE if unit in parents and not condition_met(dependency, parents[unit]) else value
        for unit, value in codes.items()
    }


def _parent_values(records: ProjectRecords, name: str, coder: str | None, second: bool) -> Codes:
    parents = records.values.get(name, {})
    if coder is None:
        return {unit: v.value for unit, v in parents.items() if not v.failed}
    if second:
        return records.second.get(coder, {}).get(name, {})
    if coder == REVIEW:  # the researcher's value where they reviewed it; else the AI's stands
        return {
            unit: review.human_value(v.value) if (review := records.reviews.get(v.extraction_id)) else v.value
            for unit, v in parents.items()
            if not v.failed
        }
    return records.codings.get(coder, {}).get(name, {})


@dataclass(frozen=True)
class Paired:
    """Two coders' codes of the units one of them coded (for two researchers: either one)."""

    units: list[UnitKey]
    first: list[Any]
    second: list[Any]
    first_values: list[Any]  # as given, for text: exact agreement looks at them before normalising
    second_values: list[Any]
    not_applicable: int


def _pair(code: Callable[[Any], Any], kind: ComparisonKind, first: Codes, second: Codes) -> Paired:
    units = sorted(set(second) | (set(first) if kind is ComparisonKind.HUMANS else set()), key=_unit_order)
    kept = [u for u in units if not (first.get(u) is NOT_APPLICABLE and second.get(u) is NOT_APPLICABLE)]
    first_values = [first.get(u, MISSING) for u in kept]
    second_values = [second.get(u, MISSING) for u in kept]
    return Paired(
        kept,
        [code(value) for value in first_values],
        [code(value) for value in second_values],
        first_values,
        second_values,
        len(units) - len(kept),
    )


def _statistics(
    spec: VariableSpec, kind: ComparisonKind, names: tuple[str, str], paired: Paired, bootstrap: int
) -> Comparison:
    left, right = paired.first, paired.second
    measure = _measure(spec)
    base: dict[str, Any] = {
        "kind": kind,
        "first": names[0],
        "second": names[1],
        "not_applicable": paired.not_applicable,
    }
    if measure == "set":
        sets = set_agreement(left, right, bootstrap=bootstrap)
        return Comparison(
            **base,
            measure=measure,
            n=sets.n,
            missing=sets.missing,
            percent=sets.exact,
            precision=sets.precision,
            recall=sets.recall,
            f1=sets.f1,
            f1_ci=sets.f1_ci,
        )
    categorical = spec.type in (VariableType.BOOLEAN, VariableType.CATEGORY)
    # Equality of every pair, "no value" included; kappa and AC1 for categories.
    nominal = pair_agreement(
        left,
        right,
        Level.NOMINAL,
        kappa=categorical,
        bootstrap=bootstrap if measure == "nominal" or categorical else 0,
    )
    scaled = nominal
    if measure != "nominal":  # ordinal and interval alpha over the units where both gave a value
        present = [a is not None and b is not None for a, b in zip(left, right, strict=True)]
        order = [category.value for category in spec.categories] if measure == "ordinal" else None
        scaled = pair_agreement(
            [a if keep else MISSING for a, keep in zip(left, present, strict=True)],
            [b if keep else MISSING for b, keep in zip(right, present, strict=True)],
            Level(measure),
            order=order,
            kappa=False,
            bootstrap=bootstrap,
        )
    text = (
        text_agreement([_text(v) for v in paired.first_values], [_text(v) for v in paired.second_values])
        if spec.type is VariableType.TEXT
        else None
    )
    return Comparison(
        **base,
        measure=measure,
        n=nominal.n,
        missing=nominal.missing,
        percent=text.exact if text else nominal.percent,
        normalised=text.normalised if text else None,
        kappa=nominal.kappa,
        kappa_ci=nominal.kappa_ci,
        alpha=scaled.alpha,
        alpha_ci=scaled.alpha_ci,
        ac1=nominal.ac1,
    )


def compare_codes(
    spec: VariableSpec,
    first: Codes,
    second: Codes,
    *,
    names: tuple[str, str] = (AI, REVIEW),
    bootstrap: int = 1000,
) -> Comparison:
    """Two coders' values of one variable over the units the second coded (a unit the first did not code
    counts as missing): e.g. a prompt's values on held-out units against the researcher's."""
    paired = _pair(_coder(spec), ComparisonKind.REVIEW, first, second)
    return _statistics(spec, ComparisonKind.REVIEW, names, paired, bootstrap)


def same_value(spec: VariableSpec, first: Any, second: Any) -> bool:
    """Whether two coders gave the same value, as agreement counts it (text without regard to case,
    spacing and punctuation; several values as sets)."""
    code = _coder(spec)
    coded = code(first)
    return coded is not MISSING and coded == code(second)


def _measure(spec: VariableSpec) -> str:
    if spec.is_multi_valued:
        return "set"
    if spec.type in (VariableType.NUMBER, VariableType.DATE):
        return "interval"
    if spec.type is VariableType.CATEGORY and spec.ordered:
        return "ordinal"
    return "nominal"


def _coder(spec: VariableSpec) -> Callable[[Any], Any]:
    """How the statistics compare a variable's values: a function of one value, MISSING when it cannot be
    read (e.g. a value coded under an older type)."""
    if spec.is_multi_valued:
        convert: Callable[[Any], Any] = _as_set
    else:
        convert = _CONVERTERS[spec.type]
    empty: Any = frozenset() if spec.is_multi_valued else None

    def code(value: Any) -> Any:
        if value is MISSING:
            return MISSING
        if value is NOT_APPLICABLE:
            return empty  # the variable is empty for this coder
        if value is None and not spec.is_multi_valued:
            return None
        try:
            return convert(value)
        except (TypeError, ValueError):
            return MISSING

    return code


_normalised = lru_cache(maxsize=100_000)(normalise_text)  # the same texts come back unit after unit


def _as_set(value: Any) -> frozenset[Any]:
    items = value if isinstance(value, list) else ([] if value is None else [value])
    return frozenset(_normalised(item) if isinstance(item, str) else item for item in items)


def _boolean(value: Any) -> Any:
    return value if isinstance(value, bool) else MISSING


_CONVERTERS: dict[VariableType, Callable[[Any], Any]] = {
    VariableType.TEXT: lambda value: _normalised(str(value)),
    VariableType.NUMBER: float,
    VariableType.DATE: lambda value: _days(value),
    VariableType.BOOLEAN: _boolean,
    VariableType.CATEGORY: str,
}


def _days(value: Any) -> float:
    """A (partial) ISO date as a day number; a year or a month stands at its middle, so that "2021" is as far
    from 2021-01-01 as from 2021-12-31."""
    if not is_partial_iso_date(value):
        raise ValueError(f"{value!r} is not a date")
    parts = [int(part) for part in value.split("-")]
    if len(parts) == 3:
        return float(date(*parts).toordinal())
    if len(parts) == 2:
        start = date(parts[0], parts[1], 1)
        end = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
    else:
        start, end = date(parts[0], 1, 1), date(parts[0] + 1, 1, 1)
    return (start.toordinal() + end.toordinal() - 1) / 2


def _text(value: Any) -> Any:
    if value is MISSING or value is None:
        return value
    return None if value is NOT_APPLICABLE else str(value)


def _unit_order(unit: UnitKey) -> tuple[int, int]:
    return (unit[0], -1 if unit[1] is None else unit[1])


def _basis(comparisons: Iterable[Comparison]) -> Comparison | None:
    """The AI-human comparison a verdict rests on: blind coding (not anchored on the AI's values) when a
    coder has coded enough units, else the review, else whatever there is."""
    ai_human = [c for c in comparisons if c.kind in (ComparisonKind.BLIND, ComparisonKind.REVIEW)]
    blind = [c for c in ai_human if c.kind is ComparisonKind.BLIND and c.n >= MIN_UNITS]
    review = [c for c in ai_human if c.kind is ComparisonKind.REVIEW and c.n >= MIN_UNITS]
    for candidates in (blind, review, ai_human):
        if candidates:
            return max(candidates, key=lambda c: c.n)
    return None


def _verdict(basis: Comparison | None, level: float) -> Verdict:
    if basis is None or basis.n == 0:
        return Verdict.NOT_MEASURED
    if basis.n < MIN_UNITS or basis.reliability is None:
        return Verdict.TOO_FEW
    if basis.reliability >= level:
        return Verdict.READY
    return Verdict.TENTATIVE if basis.reliability >= TENTATIVE_FLOOR else Verdict.NEEDS_WORK


def _calibration(
    records: ProjectRecords, spec: VariableSpec, ai_values: dict[UnitKey, AIValue], paired: Paired | None
) -> Calibration | None:
    """Accuracy against confidence on the units of the verdict's comparison (the AI is its first coder), for
    the values a confidence threshold acts on: stated ones (the prompt asks for a low confidence with "no
    value", and the pipeline never holds back an empty value for it)."""
    if paired is None:
        return None
    confidences: list[float] = []
    correct: list[bool] = []
    for unit, ai, human in zip(paired.units, paired.first, paired.second, strict=True):
        value = ai_values.get(unit)
        confidence = None if value is None else _thresholded(value)
        if confidence is not None and ai is not MISSING and human is not MISSING:
            confidences.append(confidence)
            correct.append(ai == human)
    population = [c for v in ai_values.values() if (c := _thresholded(v)) is not None]
    return calibrate(
        confidences,
        correct,
        target=records.target_accuracy,
        population=population,
        current_threshold=spec.confidence_threshold,
    )


def _thresholded(value: AIValue) -> float | None:
    """The confidence of a value a threshold acts on (a stated one), else None."""
    return None if value.failed or value.value in (None, []) else value.confidence
