"""`coderai export`: files written as asked, plain errors for what cannot be done, nothing half-written
when writing fails, and an export of a project without results still works."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.export import service as export_service
from coderai_desktop.export.model import ExportFormat
from coderai_desktop.export.service import ExportService
from coderai_desktop.export.tables import DETAILS
from tests.conftest import PASSWORD
from tests.integration.conftest import Cli
from tests.integration.export.conftest import Coded
from tests.integration.runs.conftest import NAMES, PROJECT, VARIABLES


def test_the_command_writes_the_dataset_and_its_codebook(cli: Cli, coded: Coded, tmp_path: Path) -> None:
    out, codebook = tmp_path / "plans.sav", tmp_path / "plans codebook.md"

    written = cli(
        "--user",
        "ana",
        "export",
        PROJECT,
        "--format",
        "sav",
        "--out",
        out,
        "--metadata",
        "--codebook",
        codebook,
    )

    assert (written.code, written.err) == (0, "")
    columns = 2 + len(NAMES) * (1 + len(DETAILS))  # document, file; each value and its details
    assert written.out == f"Wrote 4 rows and {columns} columns to {out}.\nWrote the codebook to {codebook}.\n"
    assert out.stat().st_size > 0
    markdown = codebook.read_text(encoding="utf-8")
    assert markdown.startswith("# Codebook: Clean air plans") and "The plan's budget in euros." in markdown
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".partial")] == []


def test_bad_requests_get_a_plain_error(cli: Cli, coded: Coded, tmp_path: Path) -> None:
    def export(*args: str | Path) -> tuple[int, str]:
        result = cli("--user", "ana", "export", PROJECT, *args)
        return result.code, result.err

    csv_out = ("--format", "csv", "--out", tmp_path / "out.csv")
    assert export(*csv_out, "--min-confidence", "80") == (
        1,
        "error: --min-confidence is a share between 0 and 1, e.g. 0.8.\n",
    )
    assert export(*csv_out, "--codebook", tmp_path / "codebook.pdf") == (
        1,
        "error: The codebook is written as .docx or .md, not '.pdf'.\n",
    )
    code, error = export("--format", "xlsx", "--out", tmp_path / "missing" / "out.xlsx")
    assert code == 1 and error.startswith(f"error: Cannot write in {tmp_path / 'missing'}: No such file")
    code, error = export("--format", "parquet", "--out", tmp_path / "x")
    assert code == 2 and "invalid choice: 'parquet'" in error
    assert sorted(path.name for path in tmp_path.iterdir() if path.is_file()) == []


async def test_a_failed_export_leaves_the_earlier_file_as_it_was(
    exports: ExportService, coded: Coded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "plans.xlsx"
    await exports.export(coded.corpus.project_id, ExportFormat.XLSX, path)
    before = path.read_bytes()

    def fail_halfway(_dataset: object, _table: object, target: Path) -> None:
        target.write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_service, "write_xlsx", fail_halfway)
    with pytest.raises(OSError, match="No space left"):
        await exports.export(coded.corpus.project_id, ExportFormat.XLSX, path)

    assert path.read_bytes() == before
    assert [item.name for item in folder.iterdir()] == ["plans.xlsx"], "no half-written file left behind"


@pytest.fixture
async def empty_project(context: AppContext) -> ExportService:
    """Ana's project with a codebook and no results; her exports."""
    user = await context.accounts.create_account("ana", PASSWORD)
    await context.projects(user).create_project(ProjectContext(name=PROJECT), VARIABLES)
    return context.exports(user)


async def test_a_project_without_results_exports_its_columns(
    empty_project: ExportService, tmp_path: Path
) -> None:
    for kind in ExportFormat:
        result = await empty_project.export(PROJECT, kind, tmp_path / f"empty-{kind.value}{kind.suffix}")
        assert result.rows == 0 and result.path.stat().st_size > 0
    with (tmp_path / "empty-csv.csv").open(encoding="utf-8", newline="") as stream:
        assert list(csv.reader(stream)) == [["document", "document_id", *NAMES]]


def test_results_of_a_project_without_any_say_how_to_get_some(empty_project: ExportService, cli: Cli) -> None:
    listed = cli("--user", "ana", "results", PROJECT)
    assert listed.out == "No results yet. Code documents with: coderai run PROJECT --sample 10\n"


async def test_another_workspace_cannot_export_the_project(
    context: AppContext, coded: Coded, tmp_path: Path
) -> None:
    ben = await context.accounts.create_account("ben", PASSWORD)
    with pytest.raises(Exception, match=f"There is no project {coded.corpus.project_id} in your workspace"):
        await context.exports(ben).export(coded.corpus.project_id, ExportFormat.CSV, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
