"""Which variables a later chunk of a document still has to ask for.

A variable that keeps the first value the document gives is settled once an earlier chunk found it
trustworthily: a value, a quote located in the text and a confidence at its threshold. Post-processing would
keep that value whatever later chunks say, so asking them again only costs tokens. Every other policy
(the last value, all values, a summary of them) needs the later chunks, and so does a value that would be
flagged (unlocated quote, low confidence): a later chunk may give a better one.
"""

from __future__ import annotations

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.coercion import CoercionError, coerce
from coderai_desktop.domain.enums import IfMultipleValues, MatchStatus
from coderai_desktop.pipeline.grounding import Grounder
from coderai_desktop.pipeline.values import Answer, Item

LOCATED = frozenset({MatchStatus.EXACT, MatchStatus.NORMALIZED, MatchStatus.FUZZY})


def open_variables(
    variables: tuple[VariableSpec, ...], answers: dict[str, list[Answer]], grounder: Grounder
) -> list[VariableSpec]:
    """The variables of a call that the next chunk must still be asked for, given the answers so far."""
    return [v for v in variables if not _settled(v, answers.get(v.name, []), grounder)]


def _settled(variable: VariableSpec, answers: list[Answer], grounder: Grounder) -> bool:
    if variable.if_multiple_values is not IfMultipleValues.FIRST:
        return False
    return any(
        answer.confidence is not None
        and answer.confidence >= variable.confidence_threshold
        and any(_found(variable, item, grounder) for item in answer.items)
        for answer in answers
    )


def _found(variable: VariableSpec, item: Item, grounder: Grounder) -> bool:
    try:
        value = coerce(variable, item.value)
    except CoercionError:
        return False
    return value is not None and grounder.locate(item.quote).status in LOCATED
