"""A world where prompt refinement has something to learn: the researcher says the budget of every odd-
numbered plan is twice what its text says (the model reads the text, so it is wrong there), and only a
prompt with the words of REFINED_RULE makes the fake model double those budgets. The refiner (a request
whose schema is "prompt_refinement") proposes that rule, a revision that changes nothing that matters, and
one that repeats the current instructions (dropped); its worked examples come from the passages it was
shown, plus one naming a document it was not shown and one misquoted (both dropped)."""

from __future__ import annotations

import re
from typing import Any

from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.review.service import ReviewService
from tests.fakes.openai_server import default_responder, document_of, schema_of
from tests.integration.runs.conftest import Corpus

REFINED_RULE = "Double the budget of odd-numbered plans"
PLAN_NUMBER = re.compile(r"Municipal plan plan-(\d+)\.txt")
PASSAGE = re.compile(r"Passage of (R\d+):\n(.*?)(?:\n</document>|\Z)", re.DOTALL)


def truth(corpus: Corpus, name: str) -> int:
    plan = corpus.plans[name]
    return plan.budget * 2 if _odd(name) else plan.budget


def _odd(name: str) -> bool:
    return int(name.split("-")[1].split(".")[0]) % 2 == 1


def responder(request: dict) -> Any:
    schema = schema_of(request) or {}
    if "proposals" in schema.get("properties", {}):
        return refiner_answer(request)
    answer = default_responder(request)
    system = " ".join(m.get("content", "") for m in request["messages"] if m.get("role") == "system")
    found = PLAN_NUMBER.search(document_of(request) or "")
    budget = answer.get("budget")
    odd = found is not None and int(found.group(1)) % 2 == 1
    if REFINED_RULE in system and odd and isinstance(budget, dict) and isinstance(budget.get("value"), int):
        budget["value"] *= 2
    return answer


def refiner_answer(request: dict) -> dict:
    texts = "\n".join(str(m.get("content", "")) for m in request["messages"] if m.get("role") == "user")
    passages = dict(PASSAGE.findall(texts))
    label, passage = next(iter(sorted(passages.items())))
    budget_line = next(line for line in passage.splitlines() if line.startswith("budget:"))
    current = re.search(r"## budget \(number\): budget\n(.*)\n", texts)
    instructions = current.group(1) if current else "The plan's budget in euros."
    return {
        "proposals": [
            {
                "title": "Odd plans count double",
                "rationale": "Every correction is an odd-numbered plan whose budget is twice the figure.",
                "instructions": f"The plan's budget in euros. {REFINED_RULE}.",
                "classification_rules": None,
                "category_definitions": [{"value": "farming", "definition": "not a category"}],
                "examples": [
                    {"document": label, "quote": budget_line, "value": "2", "explanation": "as corrected"},
                    {"document": "R99", "quote": budget_line, "value": "1", "explanation": "unknown"},
                    {"document": label, "quote": "words that are nowhere", "value": "1", "explanation": ""},
                ],
            },
            {
                "title": "Say euros twice",
                "rationale": "Stress the currency.",
                "instructions": "The plan's budget, in euros (EUR).",
                "classification_rules": "Give the figure as written.",
                "category_definitions": [],
                "examples": [],
            },
            {
                "title": "Nothing new",
                "rationale": "Keep it.",
                "instructions": instructions,
                "classification_rules": None,
                "category_definitions": [],
                "examples": [],
            },
        ]
    }


async def review_budgets(reviews: ReviewService, corpus: Corpus, names: list[str]) -> None:
    """The researcher's review of `names`' budgets: odd plans corrected to twice the figure, even ones
    confirmed."""
    for name in names:
        value = await reviews.find_value(corpus.project_id, name, "budget")
        if _odd(name):
            await reviews.review(value, FeedbackType.INCORRECT, truth(corpus, name))
        else:
            await reviews.review(value, FeedbackType.CORRECT)
