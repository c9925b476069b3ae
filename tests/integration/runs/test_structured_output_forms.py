"""Structured-output forms over real HTTP, against the fake server in its llama.cpp-like mode (json_schema
refused with llama-cpp-python's HTTP 500 naming response_format, a JSON object constrained by a schema honoured, an echo of the
schema when nothing constrains the answer): `provider test` finds the form and saves it where the tested
settings come from; a run in a refused form pauses at once and, once tested, resumes to the end."""

from __future__ import annotations

import asyncio
from collections import Counter

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.provider import StructuredOutput
from coderai_desktop.export.service import ExportService
from coderai_desktop.llm.connection import FoundSettings
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.tables import Workspace
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import LLAMA_CPP, FakeOpenAI, default_responder
from tests.integration.runs.conftest import API_KEY, MODEL, VARIABLES, Configure, MakeCorpus

LLAMA_STYLE = StructuredOutput.JSON_OBJECT_SCHEMA


async def compatible(configure: Configure, context: AppContext, user: UserSession, **fields: object) -> None:
    await context.secrets.set_api_key(user.workspace_id, "compatible", API_KEY)
    await configure(kind="compatible", **fields)


def forms_sent(server: FakeOpenAI) -> list[str | None]:
    return [(request.get("response_format") or {}).get("type") for request in server.requests]


async def test_provider_test_finds_the_form_a_llama_cpp_server_takes_and_saves_it(
    providers: ProviderService,
    configure: Configure,
    context: AppContext,
    user: UserSession,
    server: FakeOpenAI,
) -> None:
    await compatible(configure, context, user)
    server.dialect = LLAMA_CPP

    report = await providers.test()

    assert report.ok and report.found == FoundSettings(LLAMA_STYLE, system_messages=False)
    assert [check.message for check in report.checks] == [
        f"The server answered as model '{MODEL}', with the key given.",
        "This server accepts a JSON object constrained by a schema (llama.cpp style); runs will use it. "
        "(Not usable: a strict JSON schema was refused.)",
        "This server's chat template drops system messages: the instructions will be sent in the user "
        "message.",
    ]
    assert forms_sent(server) == ["json_schema", "json_object", "json_object"]
    saved = await providers.settings()
    assert (saved.structured_output, saved.system_messages) == (LLAMA_STYLE, False)
    with context.database.transaction() as session:
        stored = session.get(Workspace, user.workspace_id).provider_settings
    assert stored["structured_output"] == "json_object_schema" and "strict_schema" not in stored
    assert stored["system_messages"] is False


async def test_the_form_is_saved_with_a_projects_own_server_or_else_with_the_workspace(
    providers: ProviderService,
    configure: Configure,
    context: AppContext,
    user: UserSession,
    server: FakeOpenAI,
) -> None:
    await compatible(configure, context, user)
    projects = context.projects(user)
    own = await projects.create_project(ProjectContext(name="Own server"), VARIABLES)
    shared = await projects.create_project(ProjectContext(name="Shared server"), VARIABLES)
    with FakeOpenAI(api_key=API_KEY, models=(MODEL,), dialect=LLAMA_CPP) as local:
        await providers.save_project_overrides(own.id, {"base_url": local.base_url})

        assert (await providers.test(own.id)).found == FoundSettings(LLAMA_STYLE, False)

    assert await providers.project_overrides(own.id) == {
        "base_url": local.base_url,
        "structured_output": "json_object_schema",
        "system_messages": False,
    }
    workspace = await providers.settings()
    assert workspace.structured_output is workspace.system_messages is None, "its server was not tested"

    await providers.save_project_overrides(shared.id, {"concurrency": 1})
    assert (await providers.test(shared.id)).found == FoundSettings(StructuredOutput.JSON_SCHEMA, True)
    assert await providers.project_overrides(shared.id) == {"concurrency": 1}
    workspace = await providers.settings()
    assert (workspace.structured_output, workspace.system_messages) == (StructuredOutput.JSON_SCHEMA, True)


async def test_settings_tested_before_they_are_saved_are_left_to_the_caller(
    providers: ProviderService,
    configure: Configure,
    context: AppContext,
    user: UserSession,
    server: FakeOpenAI,
) -> None:
    await compatible(configure, context, user)
    server.dialect = LLAMA_CPP

    report = await providers.test(settings=await providers.settings())

    assert report.found == FoundSettings(LLAMA_STYLE, False)
    assert (await providers.settings()).structured_output is None
    assert (await providers.settings()).system_messages is None


async def test_a_run_in_a_refused_form_pauses_at_once_and_after_provider_test_resumes_to_the_end(
    jobs: JobService,
    providers: ProviderService,
    exports: ExportService,
    make_corpus: MakeCorpus,
    configure: Configure,
    context: AppContext,
    user: UserSession,
    server: FakeOpenAI,
) -> None:
    await compatible(configure, context, user, structured_output="json_schema")  # --strict-schema yes
    corpus = await make_corpus(6)
    server.dialect = LLAMA_CPP

    paused = await asyncio.wait_for(jobs.run((await jobs.start(corpus.project_id)).id), 30)

    assert paused.status is JobStatus.PAUSED
    assert paused.pause_reason is not None
    assert (
        "refused structured output as a strict JSON schema (500: 1 validation error:" in paused.pause_reason
    )
    assert "Run `coderai provider test` (or Test connection in the provider settings)" in paused.pause_reason
    assert "try again later" not in paused.pause_reason
    sent = Counter(corpus.requests_per_document(server.requests).values())
    assert set(sent) <= {0, 1}, "no document was sent twice: a refusal is not retried"
    assert sum(count for count in corpus.requests_per_document(server.requests).values()) <= 2 * 2

    assert (await providers.test()).found == FoundSettings(LLAMA_STYLE, False)
    server.reset()
    done = await asyncio.wait_for(jobs.resume(paused.id), 30)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 6, 0)
    assert set(forms_sent(server)) == {"json_object"}
    assert all(request["response_format"].get("schema") for request in server.requests)
    corpus.check_results(await exports.table(corpus.project_id))


async def test_a_server_that_drops_system_messages_still_reads_the_codebook_once_tested(
    jobs: JobService,
    providers: ProviderService,
    exports: ExportService,
    make_corpus: MakeCorpus,
    configure: Configure,
    context: AppContext,
    user: UserSession,
    server: FakeOpenAI,
) -> None:
    await compatible(configure, context, user)
    corpus = await make_corpus(4)
    server.dialect = LLAMA_CPP  # its chat template drops system messages: the "model" never sees them
    read: list[str] = []

    def model(request: dict) -> dict:
        read.append("\n".join(message["content"] for message in request["messages"]))
        return default_responder(request)

    server.responder = model

    assert (await providers.test()).found == FoundSettings(LLAMA_STYLE, system_messages=False)
    assert (await providers.settings()).system_messages is False
    server.reset()
    read.clear()
    done = await asyncio.wait_for(jobs.run((await jobs.start(corpus.project_id)).id), 30)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 4, 0)
    corpus.check_results(await exports.table(corpus.project_id))
    assert len(read) == len(server.requests) >= 4
    assert all("Codebook:" in text and "The plan's budget in euros." in text for text in read)
    assert not any(
        message["role"] == "system" for request in server.requests for message in request["messages"]
    )
