"""A slow or failing document can be read back from the log: each call's line names the document, the
variables it codes and how long it took; the document's line, its calls, tokens and total time."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.llm.client import CallResult
from coderai_desktop.llm.errors import RateLimitedError
from coderai_desktop.llm.prompts import extraction_plans
from coderai_desktop.log_context import log_context
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentInput
from tests.unit.json_log import json_lines
from tests.unit.pipeline.extraction_builders import spec
from tests.unit.pipeline.scripted_client import ScriptedClient

CONTEXT = ProjectContext(name="Climate plans")
VARIABLES = [spec("city"), spec("budget", "number")]
DOCUMENT = DocumentInput(7, "plan.txt", "city: Oslo\nbudget: 4,500\n", [0], [])


class RefusingClient(ScriptedClient):
    async def structured(self, *args: Any, **kwargs: Any) -> CallResult:
        raise RateLimitedError("The server is rate limiting the requests.")


def extractor(client: ScriptedClient, mode: ExtractionMode) -> DocumentExtractor:
    return DocumentExtractor(client, CONTEXT, VARIABLES, extraction_plans(CONTEXT, VARIABLES, mode), None)


async def test_calls_and_the_document_are_logged_with_what_they_concern_and_how_long() -> None:
    with json_lines("coderai_desktop.pipeline") as records, log_context(job=3):
        await extractor(ScriptedClient(), ExtractionMode.GROUPED).extract(DOCUMENT)

    call, document = records()
    assert call["level"] == "DEBUG" and call["message"].startswith("Call grouped:1 answered: 100 tokens in")
    assert (call["job"], call["document"], call["variable"]) == (3, 7, "city, budget")
    assert document["level"] == "INFO"
    assert document["message"] == "Coded in 1 call (1 chunk, 1 unit): 100 tokens in, 20 out"
    assert (document["job"], document["document"]) == (3, 7) and "variable" not in document
    assert all(isinstance(record["duration_ms"], int) and record["duration_ms"] >= 0 for record in records())


async def test_each_call_of_per_variable_mode_names_its_variable() -> None:
    with json_lines("coderai_desktop.pipeline") as records:
        await extractor(ScriptedClient(), ExtractionMode.PER_VARIABLE).extract(DOCUMENT)

    calls = [record for record in records() if record["message"].startswith("Call ")]
    assert sorted(record["variable"] for record in calls) == ["budget", "city"]


async def test_a_failed_call_is_a_warning_with_its_error_and_duration() -> None:
    with json_lines("coderai_desktop.pipeline") as records, pytest.raises(RateLimitedError):
        await extractor(RefusingClient(), ExtractionMode.GROUPED).extract(DOCUMENT)

    (failed,) = records()
    assert failed["level"] == "WARNING"
    assert failed["message"] == (
        "Call grouped:1 failed: RateLimitedError: The server is rate limiting the requests."
    )
    assert (failed["document"], failed["variable"]) == (7, "city, budget")
    assert failed["duration_ms"] >= 0
