"""What the researcher's reviews say about a variable's prompt: every reviewed value, and for each correction
the kind of error it was (missed, not in the text, wrong category, wrong format or unit, another variable's
value, should be empty...). The Quality page counts them; prompt refinement learns from them."""

from __future__ import annotations

import math
from typing import Any

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.codebook_rules import is_finite_number, is_partial_iso_date
from coderai_desktop.domain.enums import MatchStatus, VariableType
from coderai_desktop.domain.refinement import ErrorKind, FeedbackAnalysis, FeedbackItem
from coderai_desktop.review.agreement import same_value
from coderai_desktop.review.records import AIValue, ProjectRecords
from coderai_desktop.review.statistics import normalise_text

UNITS_APART = {10.0, 100.0, 1000.0, 1e6, 1e9}  # per cent for a share, thousands or millions for units
NOT_LOCATED = (MatchStatus.NOT_FOUND,)
KINDS = list(ErrorKind)


def analyse(records: ProjectRecords, spec: VariableSpec, refine_after_errors: int) -> FeedbackAnalysis:
    """Every reviewed value of `spec`: errors first, grouped by kind, then by document and entity."""
    items = []
    for value in records.values.get(spec.name, {}).values():
        review = records.reviews.get(value.extraction_id)
        if review is None or value.failed:
            continue
        human = review.human_value(value.value)
        kind, other = (
            (None, None) if agrees(spec, value.value, human) else error_kind(spec, value, human, records)
        )
        items.append(_item(value, human, review.note, kind, other))
    items.sort(key=_grouped)
    return FeedbackAnalysis(spec.name, tuple(items), refine_after_errors)


def _grouped(item: FeedbackItem) -> tuple[int, str, int, int]:
    """Errors first, grouped by kind (in ErrorKind's order), then by document and entity."""
    kind = len(KINDS) if item.kind is None else KINDS.index(item.kind)
    return (kind, item.document.casefold(), item.document_id, item.entity_index or 0)


def error_count(records: ProjectRecords, spec: VariableSpec, coded_by: int | None = None) -> int:
    """Corrections of the variable's current values (of those prompt `coded_by` coded, when given): reviews
    whose value differs from the model's as agreement counts a difference."""
    count = 0
    for value in records.values.get(spec.name, {}).values():
        review = records.reviews.get(value.extraction_id)
        of_prompt = coded_by is None or value.prompt_id in (None, coded_by)
        if review is not None and not value.failed and of_prompt:
            count += not agrees(spec, value.value, review.human_value(value.value))
    return count


def agrees(spec: VariableSpec, ai: Any, human: Any) -> bool:
    """The researcher's value is the model's, as agreement counts it ("" and no value alike)."""
    return same_value(spec, ai, human) or (is_empty(ai) and is_empty(human))


def error_kind(
    spec: VariableSpec, value: AIValue, human: Any, records: ProjectRecords
) -> tuple[ErrorKind, str | None]:
    ai = value.value
    if is_empty(ai):
        return ErrorKind.MISSED, None
    if is_empty(human):
        return ErrorKind.SHOULD_BE_EMPTY, None
    if isinstance(ai, list) or isinstance(human, list):
        ai_set, human_set = _keys(ai), _keys(human)
        if ai_set < human_set:
            return ErrorKind.MISSED, None
        if human_set < ai_set:
            return ErrorKind.EXTRA, None
    if (other := _other_variable(spec, value, records)) is not None:
        return ErrorKind.OTHER_VARIABLE, other
    if value.match_status in NOT_LOCATED:
        return ErrorKind.NOT_IN_TEXT, None
    if _written_differently(spec, ai, human):
        return ErrorKind.FORMAT, None
    if spec.type in (VariableType.CATEGORY, VariableType.BOOLEAN):
        return ErrorKind.WRONG_CATEGORY, None
    return ErrorKind.WRONG_VALUE, None


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _other_variable(spec: VariableSpec, value: AIValue, records: ProjectRecords) -> str | None:
    """Another variable of the same unit whose value (the researcher's, where reviewed) is the model's."""
    key = _key(value.value)
    for other in records.variables:
        if other.name == spec.name:
            continue
        found = records.values.get(other.name, {}).get(value.unit)
        if found is None or found.failed:
            continue
        review = records.reviews.get(found.extraction_id)
        their = review.human_value(found.value) if review is not None else found.value
        if not is_empty(their) and not isinstance(their, list) and _key(their) == key:
            return other.name
    return None


def _written_differently(spec: VariableSpec, ai: Any, human: Any) -> bool:
    """The same value in another unit, precision or spelling."""
    if spec.type is VariableType.NUMBER and is_finite_number(ai) and is_finite_number(human) and ai and human:
        ratio = max(abs(ai), abs(human)) / min(abs(ai), abs(human))
        return any(math.isclose(ratio, apart, rel_tol=1e-6) for apart in UNITS_APART)
    if spec.type is VariableType.DATE:
        first, second = _date_parts(ai), _date_parts(human)
        if first and second:
            shorter = min(len(first), len(second))
            swapped = len(first) == len(second) == 3 and first[0] == second[0] and first[1:] == second[2:0:-1]
            return first[:shorter] == second[:shorter] or swapped
    if spec.type is VariableType.TEXT:
        a, b = normalise_text(str(ai)), normalise_text(str(human))
        return bool(a and b) and (a == b or a in b or b in a)
    return False


def _date_parts(value: Any) -> tuple[str, ...] | None:
    return tuple(value.split("-")) if is_partial_iso_date(value) else None


def _key(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if is_finite_number(value):
        return float(value)
    return value


def _keys(value: Any) -> frozenset[Any]:
    values = value if isinstance(value, list) else ([] if is_empty(value) else [value])
    return frozenset(_key(item) for item in values)


def _item(
    value: AIValue, human: Any, note: str | None, kind: ErrorKind | None, other: str | None
) -> FeedbackItem:
    return FeedbackItem(
        extraction_id=value.extraction_id,
        document_id=value.document_id,
        document=value.document,
        entity_index=value.entity_index,
        entity=value.entity_text,
        ai_value=value.value,
        human_value=human,
        confidence=value.confidence,
        quote=value.quote,
        page=value.page,
        note=note,
        kind=kind,
        other_variable=other,
    )
