"""A CSV or XLSX file as a corpus: one document per row with text, the other columns as its metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import DocumentFormat, DocumentStatus
from coderai_desktop.ingest.report import Outcome
from coderai_desktop.ingest.service import DocumentService, ImportOptions
from tests.fakes.documents import csv_file, xlsx_file
from tests.integration.imports.helpers import by_name, chunks, rows

SPEECHES = [
    (101, "We will build ten thousand homes.", "Labour"),
    (102, "", "Green"),
    (103, "Rents must come down.", "Centre"),
    (104, "   ", "Liberal"),
    (105, "Sånn er det: boliger først.", "Labour"),
]
ROWS = [{"id": number, "Speech": speech, "party": party} for number, speech, party in SPEECHES]
READ = {2: SPEECHES[0], 4: SPEECHES[2], 6: SPEECHES[4]}  # row number as the sheet shows it (header: 1)
TEXT = ImportOptions(text_column="speech")  # column names match whatever their case


@pytest.fixture(params=[".csv", ".xlsx"])
def sheet(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    write = csv_file if request.param == ".csv" else xlsx_file
    return write(tmp_path, f"speeches{request.param}", ROWS)


async def test_each_row_with_text_is_a_ready_document(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, sheet: Path
) -> None:
    report = await documents.import_paths(project, [sheet], TEXT)

    outcomes = by_name(report)
    assert [item.name for item in report.outcomes] == [f"{sheet.name} row {n}" for n in range(2, 7)]
    assert [name for name, (outcome, _) in outcomes.items() if outcome is Outcome.IMPORTED] == [
        f"{sheet.name} row {n}" for n in READ
    ]
    assert outcomes[f"{sheet.name} row 3"] == (Outcome.SKIPPED, "the text cell is empty")
    assert outcomes[f"{sheet.name} row 5"] == (Outcome.SKIPPED, "the text cell is empty")

    stored = rows(context, user.workspace_id)
    assert len(stored) == len(READ)
    for row, (number, (identifier, speech, party)) in zip(stored, READ.items(), strict=True):
        assert row.file_name == f"{sheet.name} row {number}"
        assert (row.status, row.text) == (DocumentStatus.READY, speech)
        assert row.format is DocumentFormat(sheet.suffix[1:].upper())
        assert row.import_metadata["source_file"] == sheet.name
        assert row.import_metadata["row"] == number
        assert {key: str(value) for key, value in row.import_metadata["columns"].items()} == {
            "id": str(identifier),
            "party": party,
        }
        assert row.word_count and row.char_count == len(speech) and row.chunk_count == 1
        with context.database.transaction() as session:
            assert [(c.char_start, c.char_end) for c in chunks(session, row.id)] == [(0, len(speech))]
    assert len({row.stored_path for row in stored}) == 1  # the rows share one stored copy of the file
    assert Path(stored[0].stored_path or "").read_bytes() == sheet.read_bytes()


async def test_importing_the_spreadsheet_again_adds_nothing(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, sheet: Path
) -> None:
    await documents.import_paths(project, [sheet], TEXT)
    again = await documents.import_paths(project, [sheet], TEXT)
    assert again.count(Outcome.DUPLICATE) == len(READ) and again.count(Outcome.IMPORTED) == 0
    assert not again.nothing_read
    assert len(rows(context, user.workspace_id)) == len(READ)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ImportOptions(), "Choose the column that holds each row's text"),
        (ImportOptions(text_column="body"), "There is no column 'body'"),
    ],
)
async def test_without_a_known_text_column_the_file_fails_with_the_columns(
    documents: DocumentService,
    project: int,
    context: AppContext,
    user: UserSession,
    sheet: Path,
    options: ImportOptions,
    message: str,
) -> None:
    report = await documents.import_paths(project, [sheet], options)
    [outcome] = report.outcomes
    assert (outcome.name, outcome.outcome, outcome.document_id) == (sheet.name, Outcome.FAILED, None)
    assert message in outcome.detail and "Columns: 'id', 'Speech', 'party'." in outcome.detail
    assert report.nothing_read
    assert rows(context, user.workspace_id) == []


async def test_a_sheet_is_chosen_by_name(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    path = xlsx_file(tmp_path, "book.xlsx", [{"text": "First sheet."}], sheet="Speeches")
    missing = await documents.import_paths(project, [path], ImportOptions(text_column="text", sheet="Votes"))
    assert [item.outcome for item in missing.outcomes] == [Outcome.FAILED]
    assert "Votes" in missing.outcomes[0].detail
    chosen = await documents.import_paths(
        project, [path], ImportOptions(text_column="text", sheet="Speeches")
    )
    assert [item.outcome for item in chosen.outcomes] == [Outcome.IMPORTED]
    assert [row.text for row in rows(context, user.workspace_id)] == ["First sheet."]
