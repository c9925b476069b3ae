"""The prompt lab: the preview the GUI shows is `coderai prompt show`'s text, with what a call costs; a trial
on one document codes it through the provider and stores nothing; prompt versions and their diff."""

from __future__ import annotations

import asyncio
import re

import pytest
import sqlalchemy as sa
from langchain_openai.chat_models._client_utils import _cached_async_httpx_client

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.enums import ExtractionStatus, MatchStatus, PromptReason
from coderai_desktop.domain.errors import CoderAIError, InvalidInputError
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.tables import Extraction, JobItem, ProcessingJob, Prompt
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.prompt_lab import PromptLab, prompt_diff, render_previews, side_by_side
from coderai_desktop.pipeline.prompt_versions import LAYOUT_CHANGED
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import Cli
from tests.integration.runs.conftest import (
    API_KEY,
    MODEL,
    NAMES,
    PROJECT,
    VARIABLES,
    Configure,
    Corpus,
    MakeCorpus,
    closed_port,
)
from tests.integration.runs.test_entities import FIRM_VARIABLES, FIRMS, REPORT


@pytest.fixture
def lab(
    context: AppContext,
    user: UserSession,
    jobs: JobService,
    providers: ProviderService,
    documents: DocumentService,
) -> PromptLab:
    """The lab on the `jobs` fixture's services (fast retries)."""
    return PromptLab(context.database, user, jobs, providers, documents)


def stored_rows(context: AppContext) -> dict[str, int]:
    with context.database.transaction() as session:
        return {
            table.__name__: session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in (Extraction, ProcessingJob, JobItem)
        }


@pytest.fixture
async def plans(make_corpus: MakeCorpus, configure: Configure) -> Corpus:
    await configure(price_input_per_million=2.0, price_output_per_million=8.0)
    return await make_corpus(3)


def test_the_gui_text_is_exactly_the_output_of_prompt_show(
    cli: Cli, lab: PromptLab, jobs: JobService, plans: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODERAI_USER", "ana")
    document_id = plans.ids["plan-02.txt"]
    for args, call in (
        ((), lab.preview_text(PROJECT)),
        (("budget", "--document", str(document_id)), lab.preview_text(PROJECT, "budget", document_id)),
    ):
        _cached_async_httpx_client.cache_clear()
        shown = cli("prompt", "show", PROJECT, *args)
        assert shown.code == 0, shown.err
        assert shown.out.startswith("=== grouped:1 (version 1)")
        previews = asyncio.run(call)
        assert "".join(f"{preview.text}\n\n" for preview in previews) == shown.out
    with_schema = cli("prompt", "show", PROJECT, "--schema")
    [preview] = asyncio.run(lab.preview_text(PROJECT))
    assert f"--- response schema ---\n{preview.schema}\n\n" in with_schema.out
    assert with_schema.out == render_previews(asyncio.run(jobs.preview(PROJECT)), schema=True)


async def test_the_preview_says_what_a_call_costs(
    lab: PromptLab, plans: Corpus, configure: Configure
) -> None:
    document_id = plans.ids["plan-03.txt"]
    [template] = await lab.preview_text(plans.project_id)
    [filled] = await lab.preview_text(plans.project_id, "title", document_id)

    assert (template.with_document, filled.with_document) == (False, True)
    assert "{document}" in template.text and plans.texts["plan-03.txt"] in filled.text
    document_tokens = filled.input_tokens - template.input_tokens
    assert 0 < document_tokens < len(plans.texts["plan-03.txt"]) / 2
    assert (filled.model, filled.max_tokens, filled.chunks) == (MODEL, template.max_tokens, 1)
    assert filled.cost == pytest.approx((2 * filled.input_tokens + 8 * (filled.max_tokens // 2)) / 1e6)
    assert (
        filled.cost
        < filled.cost_at_most
        == pytest.approx((2 * filled.input_tokens + 8 * filled.max_tokens) / 1e6)
    )
    assert filled.schema.startswith("{\n  ") and '"budget"' in filled.schema

    await configure(mode="per-variable", price_input_per_million=0.0, price_output_per_million=0.0)
    per_variable = await lab.preview_text(plans.project_id)
    assert [p.variables for p in per_variable] == [[name] for name in NAMES]
    assert all(p.cost == 0 and p.input_tokens > 0 for p in per_variable)


async def test_a_trial_on_a_document_codes_it_once_and_stores_nothing(
    context: AppContext, lab: PromptLab, plans: Corpus, server: FakeOpenAI
) -> None:
    name = "plan-02.txt"
    before = stored_rows(context)

    result = await lab.test_on_document(plans.project_id, plans.ids[name])

    assert len(server.requests) == 1 == result.calls, "one grouped call"
    assert plans.document_in(server.requests[0]) == name
    assert {value.variable: value.value for value in result.values} == plans.plans[name].expected
    budget = next(value for value in result.values if value.variable == "budget")
    assert (budget.confidence, budget.match, budget.page) == (0.9, MatchStatus.EXACT, 1)
    assert budget.quote_found and budget.quote == f"budget: {plans.plans[name].budget}"
    assert budget.status is ExtractionStatus.EXTRACTED and not budget.flagged
    assert (result.file_name, result.model, result.entities) == (name, MODEL, [])
    assert result.input_tokens > 0 and result.output_tokens > 0
    assert result.cost == pytest.approx((2 * result.input_tokens + 8 * result.output_tokens) / 1e6)
    assert stored_rows(context) == before, "no job, no item, no value"


async def test_a_trial_of_one_variable_makes_only_its_call(
    context: AppContext, lab: PromptLab, plans: Corpus, server: FakeOpenAI, configure: Configure
) -> None:
    await configure(mode="per-variable")
    before = stored_rows(context)

    result = await lab.test_on_document(plans.project_id, plans.ids["plan-01.txt"], "sector")

    assert len(server.requests) == 1 == result.calls
    assert list(server.requests[0]["response_format"]["json_schema"]["schema"]["properties"]) == ["sector"]
    [value] = result.values
    assert (value.variable, value.value) == ("sector", plans.plans["plan-01.txt"].sector)

    everything = await lab.test_on_document(plans.project_id, plans.ids["plan-01.txt"])
    assert everything.calls == len(NAMES) and len(server.requests) == 1 + len(NAMES), "one per call plan"
    assert [value.variable for value in everything.values] == NAMES
    assert stored_rows(context) == before


async def test_a_trial_on_an_entity_project_finds_the_entities_then_codes_them(
    context: AppContext, lab: PromptLab, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI
) -> None:
    corpus = await make_corpus(0, project=FIRMS, variables=FIRM_VARIABLES, extra={"report.txt": REPORT})

    result = await lab.test_on_document(corpus.project_id, corpus.ids["report.txt"], "revenue")

    assert result.entities == ["ACME", "Globex"]
    assert len(server.requests) == 2 == result.calls, "the entities, then one call for both"
    assert [(value.entity, value.variable, value.value) for value in result.values] == [
        ("ACME", "revenue", 10),
        ("ACME", "employees", 5),
        ("Globex", "revenue", 20),
        ("Globex", "employees", 7),
    ]
    assert stored_rows(context) == {"Extraction": 0, "ProcessingJob": 0, "JobItem": 0}


async def test_a_trial_that_cannot_be_made_says_why(
    context: AppContext, user: UserSession, lab: PromptLab, plans: Corpus, configure: Configure
) -> None:
    with pytest.raises(InvalidInputError, match="no variable named 'budgets'"):
        await lab.test_on_document(plans.project_id, plans.ids["plan-01.txt"], "budgets")
    with pytest.raises(InvalidInputError, match="The project has no document 99999"):
        await lab.test_on_document(plans.project_id, 99999)

    await context.secrets.set_api_key(user.workspace_id, "openai", "sk-wrong")
    with pytest.raises(CoderAIError, match="key"):
        await lab.test_on_document(plans.project_id, plans.ids["plan-01.txt"])

    await context.secrets.set_api_key(user.workspace_id, "openai", API_KEY)
    await configure(base_url=f"http://127.0.0.1:{closed_port()}/v1", request_timeout=2.0)
    with pytest.raises(CoderAIError) as unreachable:
        await lab.test_on_document(plans.project_id, plans.ids["plan-01.txt"])
    assert "127.0.0.1" in str(unreachable.value) and "Traceback" not in str(unreachable.value)
    assert stored_rows(context)["ProcessingJob"] == 0


async def test_a_codebook_change_makes_a_second_version_and_the_diff_shows_it(
    context: AppContext, user: UserSession, lab: PromptLab, plans: Corpus
) -> None:
    await lab.preview_text(plans.project_id)  # version 1, as a run or a preview makes it
    changed = [
        spec.model_copy(update={"instructions": "The plan's total budget in euros, all years together."})
        if spec.name == "budget"
        else spec
        for spec in VARIABLES
    ]
    await context.projects(user).save_codebook(plans.project_id, Codebook(variables=changed))

    newest, oldest = await lab.prompt_versions(plans.project_id)  # synced: the edit made version 2

    assert (newest.scope_key, newest.version, newest.is_active) == ("grouped:1", 2, True)
    assert (oldest.scope_key, oldest.version, oldest.is_active) == ("grouped:1", 1, False)
    assert (newest.reason, newest.reason_words) == (PromptReason.EDITED, "edited")
    assert (oldest.reason, oldest.reason_words) == (PromptReason.CREATED, "created")
    assert newest.model == MODEL and newest.variables == NAMES and newest.created_at >= oldest.created_at
    assert newest.text.startswith("--- system ---\n") and "{document}" in newest.text

    rows = prompt_diff(oldest, newest)
    changed_rows = [row for row in rows if row[0] != "equal"]
    assert len(changed_rows) == 1
    [(tag, left, right)] = changed_rows
    assert tag == "replace"
    assert "The plan's budget in euros." in left and "all years together" in right
    assert sum(1 for row in rows if row[0] == "equal") == len(oldest.text.splitlines()) - 1

    assert await lab.prompt_versions(plans.project_id, "grouped:9") == []
    assert [v.version for v in await lab.prompt_versions(plans.project_id, "grouped:1", sync=False)] == [2, 1]


async def test_a_version_names_its_author_and_a_context_change_says_so(
    context: AppContext, user: UserSession, lab: PromptLab, plans: Corpus
) -> None:
    [first] = await lab.prompt_versions(plans.project_id)
    assert first.author == "ana"  # whoever's preview or run made the version
    codebook = await context.projects(user).get_codebook(plans.project_id)
    assert codebook.project is not None
    context_changed = codebook.project.model_copy(update={"description": "Regional air quality plans."})
    await context.projects(user).save_codebook(
        plans.project_id, Codebook(project=context_changed, variables=codebook.variables)
    )

    newest, oldest = await lab.prompt_versions(plans.project_id)

    assert (oldest.author, oldest.reason_words) == ("ana", "created")
    assert (newest.author, newest.reason_words) == ("ana", "project context changed")
    rows = [row for row in prompt_diff(oldest, newest) if row[0] != "equal"]
    assert any("Regional air quality plans." in right for _tag, _left, right in rows)


def test_side_by_side_pairs_changed_lines_and_keeps_lone_ones_on_their_side() -> None:
    assert side_by_side(["a", "b", "c", "d"], ["a", "B", "c", "e", "f"]) == [
        ("equal", "a", "a"),
        ("replace", "b", "B"),
        ("equal", "c", "c"),
        ("replace", "d", "e"),
        ("insert", "", "f"),
    ]
    assert side_by_side(["a", "gone"], ["a"]) == [("equal", "a", "a"), ("delete", "gone", "")]
    assert side_by_side([], []) == []


def test_prompt_show_still_reads_as_before(cli: Cli, plans: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODERAI_USER", "ana")
    shown = cli("prompt", "show", PROJECT, "--schema")
    assert shown.code == 0, shown.err
    assert re.match(rf"=== grouped:1 \(version 1\): {', '.join(NAMES)} — {MODEL}, temperature ", shown.out)
    assert shown.out.endswith("}\n\n") and "--- user ---\n<document>\n{document}\n</document>" in shown.out


async def test_a_new_layout_of_the_same_codebook_says_so(
    context: AppContext, user: UserSession, lab: PromptLab, plans: Corpus
) -> None:
    """After an upgrade the same codebook is sent in the app's new layout: a new version that says why, so
    nobody looks for an edit that was never made."""
    [first] = await lab.prompt_versions(plans.project_id)
    with context.database.transaction() as session:  # as the previous version of the app stored it
        session.execute(sa.update(Prompt).values(message_template="<document>\n{document}\n</document>"))

    newest, oldest = await lab.prompt_versions(plans.project_id)

    assert (oldest.version, newest.version) == (first.version, first.version + 1)
    assert newest.reason is PromptReason.EDITED and newest.reason_detail == LAYOUT_CHANGED
    assert first.reason_detail is None
