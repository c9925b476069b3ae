"""From the model's answers to coded values: merge the chunks, coerce types, ground the evidence, apply
the codebook's rules (validation, threshold, several values, default, dependencies).

Nothing is dropped silently: a value that fails a rule is flagged with the reason, and the model's own
answer is kept beside the coded value.
"""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.codebook import DependsOn, VariableSpec
from coderai_desktop.domain.coercion import CoercionError, coerce, is_absence, rule_problem
from coderai_desktop.domain.conditions import condition_met
from coderai_desktop.domain.enums import (
    ExtractionStatus,
    IfMultipleValues,
    IfUncertain,
    MatchStatus,
    VariableType,
)
from coderai_desktop.pipeline.grounding import Grounder
from coderai_desktop.pipeline.values import NO_EVIDENCE, Answer, ExtractedValue, Item

UNFOUND_QUOTE_PENALTY = 0.5
_EVIDENCE_RANK = {
    MatchStatus.EXACT: 4,
    MatchStatus.NORMALIZED: 3,
    MatchStatus.FUZZY: 2,
    MatchStatus.NOT_FOUND: 1,
    MatchStatus.NO_QUOTE: 0,
}


def code_unit(
    variables: list[VariableSpec], answers: dict[str, list[Answer]], grounder: Grounder
) -> list[ExtractedValue]:
    """The coded values of one unit (a document, or one entity of it), in codebook order."""
    coded = {v.name: _code(v, answers.get(v.name, []), grounder) for v in variables}
    by_name = {v.name: v for v in variables}
    settled: set[str] = set()

    def settle(name: str) -> None:  # targets first: a dependency can depend on one that does not apply
        if name in settled:
            return
        settled.add(name)
        dependency = by_name[name].depends_on
        if dependency is not None and dependency.variable in coded:
            settle(dependency.variable)
            if not condition_met(dependency, coded[dependency.variable].value):
                _not_applicable(coded[name], dependency)

    for variable in variables:
        settle(variable.name)
    return [coded[v.name] for v in variables]


def _not_applicable(value: ExtractedValue, dependency: DependsOn) -> None:
    condition = f"{dependency.variable} {dependency.operator.lower().replace('_', ' ')}"
    if dependency.value is not None:
        condition += f" {dependency.value}"
    value.value = None
    value.status = ExtractionStatus.EXTRACTED
    value.notes = [f"not applicable: {condition} does not hold"]


def _code(variable: VariableSpec, answers: list[Answer], grounder: Grounder) -> ExtractedValue:
    if not answers:
        missing = ExtractedValue(variable.name, None, None, NO_EVIDENCE, ExtractionStatus.FAILED, None)
        missing.notes.append("the model gave no answer for this variable")
        return missing
    items, problems = _coerced_items(variable, answers)
    confidence = max((a.confidence for a in answers if a.confidence is not None), default=None)
    coded = ExtractedValue(
        variable.name, None, confidence, NO_EVIDENCE, ExtractionStatus.EXTRACTED, answers[0].scope_key
    )
    coded.raw = [answer.raw for answer in answers] if len(answers) > 1 else answers[0].raw
    for problem in problems:
        coded.flag(problem)
    if variable.is_multi_valued:
        _keep_all(variable, items, coded, grounder)
    else:
        _keep_one(variable, items, coded, grounder)
    if coded.value is not None:
        _check_evidence_and_rules(variable, coded)
        _apply_threshold(variable, coded)
    elif variable.default_value is not None and not items and not problems:
        coded.value = variable.default_value
        coded.notes.append("default value: the document does not give one")
    return coded


def _coerced_items(variable: VariableSpec, answers: list[Answer]) -> tuple[list[tuple[Item, int]], list[str]]:
    """Every answered value in its type, with its chunk, in document order; what could not be coerced."""
    items: list[tuple[Item, int]] = []
    problems: list[str] = []
    for answer in sorted(answers, key=lambda a: a.chunk_index):
        for item in answer.items:
            try:
                value = coerce(variable, item.value)
            except CoercionError as error:
                problems.append(f"answer not usable: {error}")
                continue
            if value is not None:
                items.append((Item(value, item.quote), answer.chunk_index))
    return items, problems


def _keep_one(
    variable: VariableSpec, items: list[tuple[Item, int]], coded: ExtractedValue, grounder: Grounder
) -> None:
    """One value, chosen by the several-values policy; among equal values, the best-evidenced quote."""
    if not items:
        return
    distinct = list(dict.fromkeys(_key(item.value) for item, _chunk in items))
    policy = variable.if_multiple_values
    if len(distinct) > 1 and policy is IfMultipleValues.SUMMARIZE:
        values = [str(item.value) for item, _chunk in _unique(items)]
        if variable.type is VariableType.TEXT:
            coded.value = "; ".join(values)
            coded.evidence = grounder.locate(items[0][0].quote)
            coded.notes.append(f"{len(distinct)} different values summarised")
            return
        # A number or date cannot hold a summary: keep the first, and ask for a review.
        coded.flag(f"a {variable.type.lower()} cannot hold a summary of {'; '.join(values)}")
        policy = IfMultipleValues.FIRST
    chosen_key = distinct[-1] if policy is IfMultipleValues.LAST else distinct[0]
    candidates = [item for item, _chunk in items if _key(item.value) == chosen_key]
    located = [(item, grounder.locate(item.quote)) for item in candidates]
    item, evidence = max(located, key=lambda pair: _EVIDENCE_RANK[pair[1].status])
    coded.value, coded.evidence = item.value, evidence
    if len(distinct) > 1:
        coded.notes.append(f"the document gives {len(distinct)} values; kept the {policy.lower()}")


def _keep_all(
    variable: VariableSpec, items: list[tuple[Item, int]], coded: ExtractedValue, grounder: Grounder
) -> None:
    unique = _unique(items)
    if variable.max_values is not None and len(unique) > variable.max_values:
        coded.notes.append(f"{len(unique)} values found; kept the first {variable.max_values}")
        unique = unique[: variable.max_values]
    if not unique:
        return
    located = [grounder.locate(item.quote) for item, _chunk in unique]
    coded.value = [item.value for item, _chunk in unique]
    coded.evidence = located[0]  # each item's quote is in the raw answer; the columns hold the first
    unfound = sum(
        1 for evidence in located if evidence.status in (MatchStatus.NOT_FOUND, MatchStatus.NO_QUOTE)
    )
    if unfound:
        coded.flag(f"the quote of {unfound} of the {len(located)} values was not found in the document")


def _check_evidence_and_rules(variable: VariableSpec, coded: ExtractedValue) -> None:
    status = coded.evidence.status
    if is_absence(variable, coded.value):
        pass  # "no", "none", "not stated": nothing in the text can show an absence, so no quote is asked for
    elif not variable.is_multi_valued and status is MatchStatus.NOT_FOUND:
        coded.flag("the quote was not found in the document")
        if coded.confidence is not None:
            coded.confidence *= UNFOUND_QUOTE_PENALTY
    elif not variable.is_multi_valued and status is MatchStatus.NO_QUOTE:
        coded.flag("no quote was given for the value")
    values = coded.value if isinstance(coded.value, list) else [coded.value]
    for value in values:
        if (problem := rule_problem(variable, value)) is not None:
            coded.flag(problem)


def _apply_threshold(variable: VariableSpec, coded: ExtractedValue) -> None:
    if coded.confidence is None or coded.confidence >= variable.confidence_threshold:
        return
    below = f"confidence {coded.confidence:.2f} is below {variable.confidence_threshold:.2f}"
    if variable.if_uncertain is IfUncertain.FLAG:
        coded.flag(below)
    else:
        coded.value = None
        coded.notes.append(
            f"{below}: {'left empty' if variable.if_uncertain is IfUncertain.NULL else 'skipped'}"
        )


def _unique(items: list[tuple[Item, int]]) -> list[tuple[Item, int]]:
    seen: set[Any] = set()
    unique = []
    for item, chunk in items:
        if (key := _key(item.value)) not in seen:
            seen.add(key)
            unique.append((item, chunk))
    return unique


def _key(value: Any) -> Any:
    """Equal values compare equal however the model spelled them ('Paris' and 'paris ')."""
    return " ".join(value.split()).casefold() if isinstance(value, str) else value
