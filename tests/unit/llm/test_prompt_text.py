"""The system prompt: the project and the whole codebook, and never the document."""

from __future__ import annotations

from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.llm.prompts import CLOSING, extraction_plans, messages, system_prompt
from tests.unit.llm.specs import context, entity_context, many, spec

DOCUMENT = "ARTICLE 1. The parties agree to cut emissions by 40 percent before 2030."


ENERGY = {
    "value": "energy",
    "label": "Energy",
    "definition": "Power generation and grids.",
    "examples": ["solar farms", "coal phase-out"],
}
TRANSPORT = {"value": "transport", "definition": "Roads, rail, aviation and shipping."}


def rich_codebook():
    return [
        spec("title", instructions="The official title of the agreement."),
        spec(
            "sector",
            "category",
            instructions="The main sector the agreement is about.",
            categories=[ENERGY, TRANSPORT],
            classification_rules="When two sectors apply, choose the one named in the title.",
        ),
        spec("signed_on", "date", instructions="When the agreement was signed."),
    ]


def test_the_system_prompt_carries_the_project_context() -> None:
    prompt = system_prompt(context(), rich_codebook())
    for part in (
        "Climate treaties",
        "Commitments made in bilateral climate agreements.",
        "International relations",
        "The documents are in French",
        "one row per document",
    ):
        assert part in prompt


def test_an_entity_project_says_what_one_row_is() -> None:
    prompt = system_prompt(entity_context("each signatory country"), rich_codebook())
    assert "one row per entity (each signatory country)" in prompt


def test_empty_description_and_domain_leave_no_empty_lines_behind() -> None:
    prompt = system_prompt(context(description="  ", domain=""), rich_codebook())
    assert "About the project" not in prompt
    assert "Field:" not in prompt


def test_every_variable_is_defined_with_its_instructions_and_type() -> None:
    prompt = system_prompt(context(), rich_codebook())
    assert "## title (text)" in prompt
    assert "The official title of the agreement." in prompt
    assert "## sector (category)" in prompt
    assert "## signed_on (date)" in prompt
    assert "When the agreement was signed." in prompt
    assert "YYYY-MM-DD" in prompt  # how to write a date


def test_categories_come_with_label_definition_and_examples_and_the_rules() -> None:
    prompt = system_prompt(context(), rich_codebook())
    assert "- energy (Energy): Power generation and grids. Examples: solar farms; coal phase-out" in prompt
    assert "- transport: Roads, rail, aviation and shipping." in prompt
    assert "Classification rules: When two sectors apply, choose the one named in the title." in prompt


def test_the_policy_for_several_values_is_stated() -> None:
    prompt = system_prompt(
        context(), [spec("a", if_multiple_values="last"), spec("b", if_multiple_values="all")]
    )
    assert "answer with the last one it gives" in prompt
    assert "List every value the document gives, each with its own quote." in prompt


def test_the_document_is_never_in_the_system_prompt() -> None:
    (plan,) = extraction_plans(context(), rich_codebook(), ExtractionMode.GROUPED)
    sent = messages(plan, DOCUMENT)
    assert sent[0]["content"] == plan.system_prompt
    assert DOCUMENT not in sent[0]["content"] + sent[1]["content"]
    assert DOCUMENT in sent[2]["content"]
    assert messages(plan, "A different document.")[0] == sent[0]


def test_every_group_carries_the_whole_codebook() -> None:
    variables = many(45)
    plans = extraction_plans(context(), variables, ExtractionMode.GROUPED)
    for plan in plans:
        for variable in variables:
            assert f"## {variable.name} (text)" in plan.system_prompt


def test_message_template_shows_where_the_document_goes() -> None:
    (plan,) = extraction_plans(context(), rich_codebook(), ExtractionMode.GROUPED)
    template = plan.message_template()
    assert template.startswith(plan.instruction)
    assert template.endswith(f"<document>\n{{document}}\n</document>\n\n{CLOSING}")
    assert template.format(document=DOCUMENT) == "\n\n---\n\n".join(
        [messages(plan, DOCUMENT)[1]["content"], messages(plan, DOCUMENT)[2]["content"]]
    )


def test_message_template_of_an_entity_project_shows_the_entity_placeholder() -> None:
    (plan,) = extraction_plans(entity_context(), rich_codebook(), ExtractionMode.GROUPED)
    assert "{document}" in plan.message_template()
    assert "Entity: {entity}" in plan.message_template()
