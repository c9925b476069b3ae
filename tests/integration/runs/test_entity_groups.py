"""Entity projects over HTTP: a report naming 30 organisations is coded in a few calls (one object per
listed entity), an entity the answer missed is coded on its own, and every row keeps its evidence and the
plan's prompt version."""

from __future__ import annotations

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.enums import JobStatus, MatchStatus
from coderai_desktop.export.service import ExportService
from coderai_desktop.llm.prompts import CLOSING
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI, default_responder, schema_of
from tests.integration.runs.conftest import Configure, MakeCorpus, extractions, variable_names

DONORS = ProjectContext(
    name="Donors",
    description="Organisations pledging at a donor conference.",
    unit_of_observation="ENTITY",
    entity_identification_pattern="each organisation named on an 'entity:' line",
)
DONOR_VARIABLES = [
    VariableSpec(name="pledge", type="number", instructions="The organisation's pledge in millions."),
    VariableSpec(name="city", type="text", instructions="Where the organisation is based."),
]
ORGANISATIONS = [f"Organisation {number:02d}" for number in range(1, 31)]


def conference_report() -> str:
    lines = ["Report of the donor conference", ""]
    for number, name in enumerate(ORGANISATIONS, 1):
        lines += [f"entity: {name}", f"[{name}] pledge: {number}", f"[{name}] city: City {number}", ""]
    return "\n".join(lines)


def codes_entities(request: dict) -> bool:
    """A call coding listed entities (not the one finding them)."""
    item = schema_of(request)["properties"]["entities"]["items"]
    return "entity" in item["properties"]


async def test_thirty_organisations_are_coded_in_one_call_with_their_evidence(
    exports: ExportService,
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    corpus = await make_corpus(
        0, project=DONORS, variables=DONOR_VARIABLES, extra={"report.txt": conference_report()}
    )

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.status is JobStatus.COMPLETED
    assert len(server.requests) == 2, "one call finds the organisations, one codes them all"
    table = await exports.table(corpus.project_id)
    assert [row[3:] for row in table.rows] == [
        [name, number, f"City {number}"] for number, name in enumerate(ORGANISATIONS, 1)
    ]
    names = variable_names(context)
    text = corpus.texts["report.txt"]
    rows = extractions(context, done.id)
    assert len(rows) == 60 and len({row.prompt_id for row in rows}) == 1
    for row in rows:
        quote = f"[{row.entity_text}] {names[row.variable_id]}: {row.value}"
        assert (row.evidence_quote, row.match_status) == (quote, MatchStatus.EXACT)
        assert text[row.char_start : row.char_end] == quote


async def test_an_organisation_missing_from_the_answer_is_coded_on_its_own(
    exports: ExportService,
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
) -> None:
    def forgetful(request: dict) -> dict:
        answer = default_responder(request)
        if "entities" in answer:
            answer["entities"] = [e for e in answer["entities"] if e.get("entity") != "Organisation 07"]
        return answer

    server.responder = forgetful
    corpus = await make_corpus(
        0, project=DONORS, variables=DONOR_VARIABLES, extra={"report.txt": conference_report()}
    )

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.status is JobStatus.COMPLETED
    coders = [request for request in server.requests if "entities" not in schema_of(request)["properties"]]
    assert [
        request["messages"][-1]["content"].removesuffix(f"\n\n{CLOSING}").rsplit("\n", 1)[-1]
        for request in coders
    ] == ["Entity: Organisation 07"]
    assert len(server.requests) == 3
    table = await exports.table(corpus.project_id)
    assert table.rows[6][3:] == ["Organisation 07", 7, "City 7"]
    assert len(table.rows) == 30


async def test_a_small_output_budget_splits_the_organisations_into_groups(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    await configure(context_tokens=8_000)
    corpus = await make_corpus(
        0, project=DONORS, variables=DONOR_VARIABLES, extra={"report.txt": conference_report()}
    )

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.status is JobStatus.COMPLETED
    groups = [request for request in server.requests if codes_entities(request)]
    assert 1 < len(groups) < 30
    listed = [request["messages"][-1]["content"].count("\n- Organisation") for request in groups]
    assert sum(listed) == 30
    budgets = [request.get("max_completion_tokens", request.get("max_tokens")) for request in groups]
    assert all(0 < budget <= 8_000 for budget in budgets), budgets
    assert len(extractions(context, done.id)) == 60
