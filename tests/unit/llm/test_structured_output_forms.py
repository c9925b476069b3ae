"""Structured-output forms: what a call sends in each, where the schema travels, and settings saved before
the forms existed (`strict_schema`) read in today's words."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.provider import ProviderKind, ProviderSettings, StructuredOutput, migrated
from coderai_desktop.llm.client import response_format_for
from tests.fakes.openai_server import FakeOpenAI
from tests.unit.llm.http_client import EXPECTED, PLAN, ask, client_for

SCHEMA = {"type": "object", "properties": {"age": {"type": "number"}}}


@pytest.mark.parametrize(
    ("form", "sent"),
    [
        ("json_schema", {"type": "json_schema", "json_schema": {"name": "coding", "schema": SCHEMA, "strict": True}}),
        ("json_object_schema", {"type": "json_object", "schema": SCHEMA}),
        ("json_object", {"type": "json_object"}),
        ("instructions", None),
    ],
)  # fmt: skip
def test_each_form_has_its_response_format(form: str, sent: dict[str, Any] | None) -> None:
    assert response_format_for(StructuredOutput(form), SCHEMA) == sent


@pytest.mark.parametrize("form", list(StructuredOutput))
async def test_each_form_answers_over_http_with_the_schema_in_the_prompt_unless_strict(
    server: FakeOpenAI, form: StructuredOutput
) -> None:
    result = await ask(client_for(server, structured_output=form))

    assert result.data == EXPECTED
    [request] = server.requests
    assert request.get("response_format") == response_format_for(form, PLAN.schema)
    schema_in_prompt = (
        "<json_schema>" in request["messages"][-2]["content"]
    )  # the instruction, before the document
    assert schema_in_prompt is (form is not StructuredOutput.JSON_SCHEMA)


@pytest.mark.parametrize(
    ("kind", "form"),
    [
        (ProviderKind.OPENAI, StructuredOutput.JSON_SCHEMA),
        (ProviderKind.AZURE, StructuredOutput.JSON_SCHEMA),
        (ProviderKind.COMPATIBLE, StructuredOutput.JSON_OBJECT),
    ],
)
def test_until_probed_the_form_follows_the_provider_kind(kind: ProviderKind, form: StructuredOutput) -> None:
    settings = ProviderSettings(kind=kind)
    assert settings.structured_output is None and settings.output_form is form
    assert settings.uses_strict_schema is (form is StructuredOutput.JSON_SCHEMA)


@pytest.mark.parametrize(
    ("strict", "form"),
    [(True, StructuredOutput.JSON_SCHEMA), (False, StructuredOutput.JSON_OBJECT), (None, None)],
)
def test_settings_saved_with_strict_schema_still_load(
    strict: bool | None, form: StructuredOutput | None
) -> None:
    stored = {
        "kind": "compatible",
        "base_url": "http://127.0.0.1:8080/v1",
        "model": "m",
        "strict_schema": strict,
    }

    settings = ProviderSettings.model_validate(stored)

    assert settings.structured_output is form
    assert "strict_schema" not in settings.model_dump(), "saved again in today's words"


def test_a_project_override_saved_with_strict_schema_still_applies() -> None:
    workspace = ProviderSettings(kind="compatible", structured_output="json_object_schema")

    assert workspace.overridden({"strict_schema": True}).output_form is StructuredOutput.JSON_SCHEMA
    assert workspace.overridden({"strict_schema": None}).structured_output is None
    assert workspace.overridden({"concurrency": 2}).output_form is StructuredOutput.JSON_OBJECT_SCHEMA


def test_a_form_given_beside_strict_schema_wins() -> None:
    assert migrated({"strict_schema": False, "structured_output": "instructions"}) == {
        "structured_output": "instructions"
    }
    assert migrated({"model": "m"}) == {"model": "m"}
