"""The results grid's service over a project coded by a real run: units ordered, filtered and searched by the
database (with corrections applied), windows of cells, edits as reviews (a bad cell reported, the good
ones kept, undone together), the evidence behind a value, the review queue, blind codings, workspaces kept
apart, and the export reading the same model."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.dataset import CellState, UnitFilter, UnitQuery
from coderai_desktop.domain.enums import FeedbackType, JobType, MatchStatus
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.export.service import ExportService
from coderai_desktop.persistence.repositories import dataset as dataset_repository
from coderai_desktop.review.grid_edits import BlindEntry, CellEdit, Edit
from coderai_desktop.review.results import ResultsService
from tests.conftest import PASSWORD
from tests.integration.review.conftest import Sampled
from tests.integration.runs.conftest import MakeCorpus, on_each_backend, plan
from tests.integration.runs.test_entities import FIRM_VARIABLES, FIRMS, NOBODY, REPORT


@pytest.fixture
def results(context: AppContext, user: UserSession) -> ResultsService:
    return context.results(user)


async def value_id(results: ResultsService, project: int, document: str, variable: str) -> int:
    rows = (await results.units(project, UnitQuery(search=document))).rows
    cells = await results.cells(project, [rows[0].key])
    return cells[rows[0].key][variable].extraction_id


@on_each_backend
async def test_units_are_sorted_by_the_database_with_corrections_applied(
    results: ResultsService, sampled: Sampled
) -> None:
    project = sampled.corpus.project_id
    info = await results.open(project)
    assert [spec.name for spec in info.variables][:2] == ["title", "budget"]
    listed = await results.units(project, UnitQuery(), window=3)
    assert [row.document for row in listed.rows] == sorted(sampled.corpus.plans) and listed.total == 12
    assert list(listed.first) == [row.key for row in listed.rows[:3]]  # the first window's cells, read along
    assert set(listed.first[listed.rows[0].key]) == {spec.name for spec in info.variables}
    filtered = await results.units(project, UnitQuery(search="plan-03"))
    assert (len(filtered.rows), filtered.total, filtered.first) == (1, 12, {})

    plans = sampled.corpus.plans
    by_budget = (await results.units(project, UnitQuery(sort_by="budget", descending=True))).rows
    assert [row.document for row in by_budget] == sorted(plans, key=lambda name: -plans[name].budget)
    # A correction sorts where its corrected value belongs.
    smallest = await value_id(results, project, "plan-01.txt", "budget")
    report = await results.apply([CellEdit(smallest, Edit.CORRECT, 999_999)])
    assert report.written == (smallest,) and not report.problems
    by_budget = (await results.units(project, UnitQuery(sort_by="budget", descending=True))).rows
    assert by_budget[0].document == "plan-01.txt"
    by_title = (await results.units(project, UnitQuery(sort_by="title"))).rows
    assert [row.document for row in by_title][:2] == ["plan-01.txt", "plan-10.txt"]  # as text


@on_each_backend
async def test_filters_and_search_choose_units_by_their_values_states(
    results: ResultsService, sampled: Sampled
) -> None:
    project = sampled.corpus.project_id
    confirmed = await value_id(results, project, "plan-02.txt", "sector")
    corrected = await value_id(results, project, "plan-05.txt", "title")
    report = await results.apply(
        [CellEdit(confirmed, Edit.CONFIRM), CellEdit(corrected, Edit.CORRECT, "Zebra Crossing Scheme")]
    )
    assert set(report.written) == {confirmed, corrected}

    async def documents(**query: object) -> list[str]:
        return [row.document for row in (await results.units(project, UnitQuery(**query))).rows]  # type: ignore[arg-type]

    assert await documents(filter=UnitFilter.REVIEWED) == ["plan-02.txt", "plan-05.txt"]
    assert await documents(filter=UnitFilter.CORRECTED) == ["plan-05.txt"]
    assert await documents(filter=UnitFilter.CONFIRMED, variable="sector") == ["plan-02.txt"]
    assert await documents(filter=UnitFilter.CONFIRMED, variable="title") == []
    assert len(await documents(filter=UnitFilter.NEEDS_REVIEW)) == 12  # every plan has unreviewed values
    assert await documents(search="PLAN-03") == ["plan-03.txt"]  # the file name, whatever the case
    assert await documents(search="zebra crossing") == ["plan-05.txt"]  # the corrected value
    assert await documents(search="Clean Air Plan 5") == []  # the model's value, replaced
    assert await documents(search="100%_") == []  # LIKE's wildcards are searched for as text
    assert await documents(search="housing", variable="title") == []
    cells = await results.cells(project, [(sampled.corpus.ids["plan-05.txt"], None)])
    cell = cells[(sampled.corpus.ids["plan-05.txt"], None)]["title"]
    assert (cell.state, cell.value, cell.ai_value) == (
        CellState.CORRECTED,
        "Zebra Crossing Scheme",
        "Clean Air Plan 5",
    )
    assert cell.reviewed_by == "ana" and cell.history


@on_each_backend
async def test_a_paste_keeps_the_good_cells_reports_the_bad_one_and_undoes_together(
    results: ResultsService, sampled: Sampled
) -> None:
    project = sampled.corpus.project_id
    budget = await value_id(results, project, "plan-01.txt", "budget")
    sector = await value_id(results, project, "plan-01.txt", "sector")
    topics = await value_id(results, project, "plan-01.txt", "topics")
    report = await results.apply(
        [
            CellEdit(budget, Edit.CORRECT, 7_500),
            CellEdit(sector, Edit.CORRECT, "farming"),  # not a category
            CellEdit(topics, Edit.CORRECT, ["air quality", "noise"]),  # keeps one of the model's two
        ]
    )
    assert report.written == (budget, topics)
    assert report.problems[0][0] == 1 and "farming" in report.problems[0][1]
    key = (sampled.corpus.ids["plan-01.txt"], None)
    assert (
        list(report.cells) == [key] and report.cells[key]["budget"].value == 7_500
    )  # read back with the write
    cells = (await results.cells(project, [key]))[key]
    assert (cells["budget"].feedback, cells["budget"].value) == (FeedbackType.INCORRECT, 7_500)
    assert cells["topics"].feedback is FeedbackType.PARTIALLY_CORRECT
    assert cells["sector"].state is not CellState.CORRECTED

    # The model's own value typed back is a confirmation; the same state twice writes nothing.
    title = cells["title"]
    assert (await results.apply([CellEdit(title.extraction_id, Edit.CORRECT, title.ai_value)])).written
    assert not (await results.apply([CellEdit(title.extraction_id, Edit.CONFIRM)])).written

    undone = await results.undo(report.written)
    assert undone[key]["budget"].value == undone[key]["budget"].ai_value
    cells = (await results.cells(project, [key]))[key]
    assert cells["budget"].feedback is None and cells["budget"].value == cells["budget"].ai_value
    assert cells["topics"].feedback is None
    await results.apply([CellEdit(title.extraction_id, Edit.CLEAR)])
    assert (await results.cells(project, [key]))[key]["title"].state is CellState.UNREVIEWED


@on_each_backend
async def test_the_evidence_points_into_the_documents_text(results: ResultsService, sampled: Sampled) -> None:
    project = sampled.corpus.project_id
    extraction = await value_id(results, project, "plan-04.txt", "budget")
    evidence = await results.evidence(extraction)
    assert evidence.document == "plan-04.txt" and evidence.text == sampled.corpus.texts["plan-04.txt"]
    assert evidence.match_status in (MatchStatus.EXACT, MatchStatus.NORMALIZED)
    assert evidence.located and "5000" in evidence.text[evidence.char_start : evidence.char_end]
    assert (evidence.job_type, evidence.job_id, evidence.has_page_image) == (
        JobType.SAMPLE,
        sampled.job,
        False,
    )
    assert evidence.model and evidence.prompt_version == 1
    with pytest.raises(Exception, match="only PDFs"):
        await results.page_image(extraction)


async def test_the_review_queue_gives_the_next_value_and_skips_those_done(
    results: ResultsService, sampled: Sampled
) -> None:
    project = sampled.corpus.project_id
    first = await results.next_to_review(project, variable="budget")
    assert first is not None and first.variable == "budget"
    second = await results.next_to_review(project, variable="budget", skip=[first.extraction_id])
    assert second is not None and second.extraction_id != first.extraction_id


@on_each_backend
async def test_blind_codings_are_the_researchers_own_and_can_be_taken_back(
    results: ResultsService, sampled: Sampled
) -> None:
    project = sampled.corpus.project_id
    unit = (sampled.corpus.ids["plan-03.txt"], None)
    report = await results.code(
        project,
        [
            BlindEntry(unit, "budget", 4000),
            BlindEntry(unit, "sector", "farming"),
            BlindEntry(unit, "target_year", None),  # the document gives none
        ],
    )
    assert len(report.written) == 2 and report.problems[0][0] == 1
    assert (await results.codings(project, [unit]))[unit] == {"budget": 4000, "target_year": None}
    await results.uncode(report.written[:1])
    assert (await results.codings(project, [unit]))[unit] == {"target_year": None}


@on_each_backend
async def test_another_workspace_sees_and_changes_nothing(
    context: AppContext, results: ResultsService, sampled: Sampled
) -> None:
    project = sampled.corpus.project_id
    extraction = await value_id(results, project, "plan-01.txt", "budget")
    await context.accounts.create_account("eve", PASSWORD)
    eve = context.results(await context.accounts.login("eve", PASSWORD))
    assert (await eve.units(project, UnitQuery())).rows == []
    assert await eve.cells(project, [(sampled.corpus.ids["plan-01.txt"], None)]) == {
        (sampled.corpus.ids["plan-01.txt"], None): {}
    }
    with pytest.raises(NotFoundError):
        await eve.evidence(extraction)
    report = await eve.apply([CellEdit(extraction, Edit.CONFIRM)])
    assert not report.written and "no value" in report.problems[0][1]
    assert (await results.cells(project, [(sampled.corpus.ids["plan-01.txt"], None)]))[
        (sampled.corpus.ids["plan-01.txt"], None)
    ]["budget"].feedback is None


async def test_the_export_reads_the_same_model_as_the_grid(
    results: ResultsService, sampled: Sampled, exports: ExportService
) -> None:
    project = sampled.corpus.project_id
    budget = await value_id(results, project, "plan-06.txt", "budget")
    await results.apply([CellEdit(budget, Edit.CORRECT, 123)])
    rows = (await results.units(project, UnitQuery())).rows
    cells = await results.cells(project, [row.key for row in rows])
    table = (await exports.table(project)).records()
    assert [record["document"] for record in table] == [row.document for row in rows]
    for record, row in zip(table, rows, strict=True):
        assert record["budget"] == cells[row.key]["budget"].value
    assert next(r["budget"] for r in table if r["document"] == "plan-06.txt") == 123


async def test_a_pdfs_page_is_rendered_with_the_passage_highlighted(
    context: AppContext,
    user: UserSession,
    results: ResultsService,
    make_corpus: MakeCorpus,
    configure: object,
    tmp_path: Path,
) -> None:
    corpus = await make_corpus(1)
    pdf = tmp_path / "pdfs" / "plan-pdf.pdf"
    pdf.parent.mkdir()
    with pymupdf.open() as document:
        document.new_page()
        page = document.new_page()  # the values are on page 2
        page.insert_text((72, 72), plan(7).text().replace("\n\n", "\n"), fontsize=11)
        document.save(pdf)
    await context.documents(user).import_paths(corpus.project_id, [pdf])
    jobs = context.jobs(user)
    job = await jobs.run((await jobs.start(corpus.project_id, sample=2, seed=1)).id)
    assert job.documents_processed == 2
    extraction = await value_id(results, corpus.project_id, "plan-pdf.pdf", "budget")
    evidence = await results.evidence(extraction)
    assert (evidence.has_page_image, evidence.page) == (True, 2)
    png = await results.page_image(extraction, zoom=1.0)
    assert png.startswith(b"\x89PNG")
    text_value = await value_id(results, corpus.project_id, "plan-01.txt", "budget")
    assert not (await results.evidence(text_value)).has_page_image


@on_each_backend
async def test_an_entity_projects_units_are_its_entities(
    results: ResultsService,
    make_corpus: MakeCorpus,
    configure: object,
    context: AppContext,
    user: UserSession,
) -> None:
    corpus = await make_corpus(
        0, project=FIRMS, variables=FIRM_VARIABLES, extra={"report.txt": REPORT, "nobody.txt": NOBODY}
    )
    jobs = context.jobs(user)
    await jobs.run((await jobs.start(corpus.project_id)).id)
    report = corpus.ids["report.txt"]

    listed = await results.units(corpus.project_id, UnitQuery(), window=5)
    assert [(row.document, row.entity_index, row.entity_text) for row in listed.rows] == [
        ("report.txt", 0, "ACME"),
        ("report.txt", 1, "Globex"),
    ]
    assert listed.first[(report, 1)]["revenue"].value == 20
    by_revenue = (await results.units(corpus.project_id, UnitQuery(sort_by="revenue", descending=True))).rows
    assert [row.entity_text for row in by_revenue] == ["Globex", "ACME"]
    assert [
        row.entity_text for row in (await results.units(corpus.project_id, UnitQuery(search="glob"))).rows
    ] == ["Globex"]
    acme = listed.first[(report, 0)]["employees"].extraction_id
    await results.apply([CellEdit(acme, Edit.CORRECT, 50)])
    corrected = await results.units(corpus.project_id, UnitQuery(filter=UnitFilter.CORRECTED))
    assert [(row.entity_text, corrected.total) for row in corrected.rows] == [("ACME", 2)]


async def test_an_sqlite_without_materialised_ctes_sorts_the_same(
    results: ResultsService, sampled: Sampled, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = sampled.corpus.project_id
    query = UnitQuery(sort_by="budget", descending=True, filter=UnitFilter.NEEDS_REVIEW)
    hinted = (await results.units(project, query)).rows
    monkeypatch.setattr(dataset_repository, "SQLITE_MATERIALISES", False)  # SQLite before 3.35
    assert (await results.units(project, query)).rows == hinted
