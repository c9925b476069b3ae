"""Builders for the pipeline tests: variables (shared with the LLM tests), model answers, coded values."""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.pipeline.grounding import Grounder
from coderai_desktop.pipeline.postprocess import code_unit
from coderai_desktop.pipeline.values import Answer, ExtractedValue
from tests.unit.llm.specs import category, spec

__all__ = ["DOCUMENT", "answer", "category", "code_all", "code_one", "items", "spec"]

DOCUMENT = (
    "The Oslo Agreement on Clean Energy was signed on 3 May 2021 in Oslo.\n"
    "It commits EUR 4.5 million to solar power and 1,200 jobs in wind power.\n"
    "A second phase, signed in Bergen, adds EUR 2 million for transport."
)


def answer(
    value: Any,
    quote: str | None = None,
    confidence: Any = 0.9,
    *,
    multi: bool = False,
    chunk: int = 0,
    scope: str = "grouped:1",
) -> Answer:
    """The model's answer for one variable, as the structured output gives it."""
    data = {"value": value, "confidence": confidence, "evidence": quote}
    return Answer.from_json(data, multi=multi, scope_key=scope, chunk_index=chunk)


def items(*pairs: tuple[Any, str | None], confidence: float = 0.9, chunk: int = 0) -> Answer:
    """A multi-valued answer: (value, quote) pairs, each with its own quote."""
    value = [{"value": value, "evidence": quote} for value, quote in pairs]
    return answer(value, None, confidence, multi=True, chunk=chunk)


def code_one(variable: VariableSpec, *answers: Answer, text: str = DOCUMENT) -> ExtractedValue:
    """The coded value of one variable from its answers (one per chunk), grounded in `text`."""
    (coded,) = code_unit([variable], {variable.name: list(answers)}, Grounder(text))
    return coded


def code_all(
    variables: list[VariableSpec], answers: dict[str, list[Answer]], text: str = DOCUMENT
) -> dict[str, ExtractedValue]:
    """The coded values of several variables, by name."""
    return {coded.variable: coded for coded in code_unit(variables, answers, Grounder(text))}
