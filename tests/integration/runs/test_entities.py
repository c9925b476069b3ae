"""Entity projects: the entities of each document are found first, then coded together in one call; one row
per entity, and a document without entities is done without rows."""

from __future__ import annotations

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.enums import JobItemStatus, JobStatus, MatchStatus
from coderai_desktop.export.service import ExportService
from coderai_desktop.llm.prompts import CLOSING
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI, schema_of
from tests.integration.runs.conftest import Configure, MakeCorpus, extractions, item_statuses, variable_names

FIRMS = ProjectContext(
    name="Firms",
    description="Companies in annual reports.",
    unit_of_observation="ENTITY",
    entity_identification_pattern="each company named on an 'entity:' line",
)
FIRM_VARIABLES = [
    VariableSpec(name="revenue", type="number", instructions="The company's revenue in millions."),
    VariableSpec(name="employees", type="number", instructions="The company's head count."),
]
REPORT = """Annual report of the holding

entity: ACME
entity: Globex

[ACME] revenue: 10
[Globex] revenue: 20
[ACME] employees: 5
[Globex] employees: 7
"""
NOBODY = "This report names no company at all.\nrevenue: 99\n"


async def test_each_entity_is_one_row_with_its_own_values(
    exports: ExportService,
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    corpus = await make_corpus(
        0, project=FIRMS, variables=FIRM_VARIABLES, extra={"report.txt": REPORT, "nobody.txt": NOBODY}
    )

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 2, 0)
    assert set(item_statuses(context, done.id).values()) == {JobItemStatus.DONE}
    table = await exports.table(corpus.project_id)
    report = corpus.ids["report.txt"]
    assert table.columns == ["document", "document_id", "entity_index", "entity_text", "revenue", "employees"]
    assert table.rows == [
        ["report.txt", report, 0, "ACME", 10, 5],
        ["report.txt", report, 1, "Globex", 20, 7],
    ]
    names = variable_names(context)
    text = corpus.texts["report.txt"]
    rows = extractions(context, done.id)
    assert {row.document_id for row in rows} == {corpus.ids["report.txt"]}, (
        "no rows for a document without entities"
    )
    for row in rows:
        quote = f"[{row.entity_text}] {names[row.variable_id]}: {row.value}"
        assert (row.evidence_quote, row.match_status) == (quote, MatchStatus.EXACT)
        assert row.char_start is not None and text[row.char_start : row.char_end] == quote

    per_document = corpus.requests_per_document(server.requests)
    assert per_document == {"report.txt": 2, "nobody.txt": 1}, "entities first, then one call for them all"
    finders = [r for r in server.requests if "name" in entity_item(r).get("properties", {})]
    assert len(finders) == 2
    (coder,) = [r for r in server.requests if r not in finders]
    assert coder["messages"][-1]["content"].endswith(
        f"</document>\n\nEntities:\n- ACME\n- Globex\n\n{CLOSING}"
    )


def entity_item(request: dict) -> dict:
    """The schema of one listed entity in a request that lists entities (empty otherwise)."""
    return schema_of(request)["properties"].get("entities", {}).get("items", {})
