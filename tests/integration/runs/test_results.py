"""What a run stores: typed values grounded in the document's text, their provenance, and the dataset table
(one column per variable, named exactly as the variable), whose CSV is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.enums import ExtractionStatus, JobStatus, MatchStatus
from coderai_desktop.export.service import ExportService
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FOUND
from tests.integration.conftest import Cli
from tests.integration.runs.conftest import (
    MODEL,
    NAMES,
    PROJECT,
    Configure,
    Corpus,
    MakeCorpus,
    extractions,
    on_each_backend,
    variable_names,
)


@on_each_backend
async def test_values_are_typed_grounded_carry_their_provenance_and_make_the_results_table(
    exports: ExportService, jobs: JobService, corpus: Corpus, context: AppContext
) -> None:
    job = await jobs.run((await jobs.start(corpus.project_id)).id)
    assert job.status is JobStatus.COMPLETED
    [preview] = await jobs.preview(corpus.project_id)
    setup = await jobs.setup(corpus.project_id)
    prompt_id = setup.prompts["grouped:1"].id
    names = variable_names(context)

    rows = extractions(context, job.id)
    assert len(rows) == len(corpus.ids) * len(NAMES)
    for row in rows:
        name, variable = corpus.name_of(row.document_id), names[row.variable_id]
        expected = corpus.plans[name].expected[variable]
        assert row.value == expected and type(row.value) is type(expected), (name, variable, row.value)
        assert (row.prompt_id, row.model, row.temperature) == (prompt_id, MODEL, preview.temperature)
        assert row.tokens_in > 0 and row.tokens_out > 0
        if expected is None:  # target_year of a plan that is not binding: the dependency does not hold
            assert row.error_message is not None and "not applicable" in row.error_message
            continue
        text = corpus.texts[name]
        assert (row.status, row.confidence) == (ExtractionStatus.EXTRACTED, FOUND)
        assert (row.match_status, row.page) == (MatchStatus.EXACT, 1)
        assert row.evidence_quote is not None and row.char_start is not None and row.char_end is not None
        assert text[row.char_start : row.char_end] == row.evidence_quote
        first = expected[0] if isinstance(expected, list) else expected
        assert row.evidence_quote.startswith(f"{variable}: ")
        assert str(first).lower() in row.evidence_quote.lower() or variable == "binding"
    assert preview.temperature == 0.1, "the lowest temperature of the group's types (boolean, category)"

    table = await exports.table(corpus.project_id)

    assert table.columns == ["document", "document_id", *NAMES]
    assert sorted(row["document"] for row in table.records()) == sorted(corpus.ids)
    corpus.check_results(table)


FORMULAS = {  # file name -> a title a spreadsheet would evaluate
    "equals.txt": '=HYPERLINK("http://example.com/x","open")',
    "plus.txt": "+SUM(A1:A9)",
    "minus.txt": "-2+3",
    "at.txt": "@cmd",
}


@pytest.fixture
async def coded(
    exports: ExportService, make_corpus: MakeCorpus, configure: Configure, jobs: JobService
) -> Corpus:
    """Two plans and one document per formula, all coded (a negative budget, a formula among the topics)."""
    extra = {name: f"title: {title}\nbudget: -500\n" for name, title in FORMULAS.items()}
    extra["at.txt"] += "topics: @risk\ntopics: plain\n"
    corpus = await make_corpus(2, extra=extra)
    done = await jobs.run((await jobs.start(corpus.project_id)).id)
    assert (done.status, done.documents_processed) == (JobStatus.COMPLETED, 6)
    table = await exports.table(corpus.project_id)
    stored = {row["document"]: row["title"] for row in table.records()}
    assert {name: stored[name] for name in FORMULAS} == FORMULAS, "stored as found"
    return corpus


def test_the_results_csv_neutralises_cells_a_spreadsheet_would_run(
    cli: Cli, coded: Corpus, tmp_path: Path
) -> None:
    """`coderai export --format csv`: a value that begins with = + - or @ is written with a leading
    apostrophe; numbers and ordinary text are written as they are."""
    target = tmp_path / "results.csv"

    written = cli("--user", "ana", "export", PROJECT, "--format", "csv", "--out", target)

    assert (written.code, written.err) == (0, "")
    assert written.out == f"Wrote 6 rows and {2 + len(NAMES)} columns to {target}.\n"
    with target.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        rows = {row["document"]: row for row in reader}
    assert reader.fieldnames == ["document", "document_id", *NAMES]
    assert {name: rows[name]["title"] for name in FORMULAS} == {
        name: "'" + title for name, title in FORMULAS.items()
    }
    assert rows["at.txt"]["topics"] == "'@risk; plain", "a list is joined, then neutralised"
    assert {rows[name]["budget"] for name in FORMULAS} == {"-500"}, "a negative number stays a number"
    assert rows["plan-01.txt"]["title"] == "Clean Air Plan 1"
    assert rows["plan-01.txt"]["topics"] == "air quality; topic 1"
    assert rows["plan-02.txt"]["budget"] == "3000"
