"""`coderai import PROJECT PATH...` and `coderai documents PROJECT`, run in this process.

Each import that reads files starts the CLI's own parser processes (about a second): keep these few.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fakes.documents import csv_file, encrypted_pdf, example_rows, pdf_file, prose, text_file
from tests.integration.conftest import Cli, CliResult

PROJECT = "Plans"


@pytest.fixture
def plans(cli: Cli, ana: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Ana's project 'Plans'; commands run as Ana, with one parser process and no OCR."""
    monkeypatch.setenv("CODERAI_USER", ana)
    monkeypatch.setenv("CODERAI_IMPORT_WORKERS", "1")
    monkeypatch.setenv("CODERAI_OCR_ENABLED", "false")
    assert cli("project", "create", PROJECT).code == 0

    def run(*args: str | Path) -> CliResult:
        result = cli(*args)
        assert "Traceback" not in result.err
        return result

    return run


def table(output: str) -> dict[str, list[str]]:
    """The rows of a printed table by their first cell, cells split on runs of two spaces or more."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in output.splitlines() if "  " in line.strip()]
    return {row[0]: row[1:] for row in rows}


def test_a_folder_is_imported_then_found_to_be_duplicates(plans: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "in"  # (tmp_path also holds the data folder)
    folder.mkdir()
    text_file(folder, "a.txt", prose(1, 30))
    pdf_file(folder, "b.pdf", ["Page one.", "Page two."])
    text_file(folder, "photo.png", "not read")

    first = plans("import", PROJECT, folder)
    assert first.code == 0
    lines = first.out.splitlines()
    assert lines[0].split() == ["FILE", "RESULT", "DETAIL"]
    rows = table(first.out)
    assert rows["photo.png"][0] == "skipped" and "images are not read" in rows["photo.png"][1]
    assert rows["a.txt"] == ["imported", "30 words"]
    assert rows["b.pdf"] == ["imported", "2 pages, 4 words"]
    assert lines[-1] == "2 imported, 1 skipped."

    again = plans("import", PROJECT, folder / "a.txt", folder / "b.pdf")
    assert again.code == 0  # everything was read before: nothing failed
    assert table(again.out)["a.txt"] == ["duplicate", "already imported as a.txt"]
    assert again.out.splitlines()[-1] == "2 duplicate."


def test_nothing_readable_exits_1(plans: Cli, tmp_path: Path) -> None:
    result = plans("import", PROJECT, text_file(tmp_path, "old.doc", "binary"), tmp_path / "missing.txt")
    assert result.code == 1
    rows = table(result.out)
    assert rows["old.doc"][0] == "skipped" and "save it as .docx" in rows["old.doc"][1]
    assert rows["missing.txt"] == ["skipped", "there is no such file or folder"]
    assert result.out.splitlines()[-1] == "2 skipped."
    assert plans("documents", PROJECT).out.strip() == (
        "No documents yet. Import some with: coderai import PROJECT PATH..."
    )


def test_a_spreadsheet_is_imported_by_its_text_column(plans: Cli, tmp_path: Path) -> None:
    sheet = csv_file(tmp_path, "answers.csv", example_rows(2))
    imported = plans("import", PROJECT, sheet, "--text-column", "Text")
    assert imported.code == 0 and imported.out.splitlines()[-1] == "2 imported."
    listed = table(plans("documents", PROJECT).out)
    assert [row[0] for row in listed.values()][1:] == ["answers.csv row 2", "answers.csv row 3"]


# A failure's detail is never shortened: it lists the columns a person must choose --text-column from.
def test_without_a_text_column_the_columns_are_listed(plans: Cli, tmp_path: Path) -> None:
    missing = plans("import", PROJECT, csv_file(tmp_path, "answers.csv", example_rows(2)))
    assert missing.code == 1
    assert table(missing.out)["answers.csv"][0] == "failed"
    assert "--text-column" in missing.out
    assert all(f"'{column}'" in missing.out for column in ("ID", "Text", "Score", "Submitted", "Note"))


def test_a_failed_pdf_is_listed_with_the_reason_and_read_with_password(plans: Cli, tmp_path: Path) -> None:
    locked = encrypted_pdf(tmp_path, "locked.pdf", "The secret budget.", "æøå")

    failed = plans("import", PROJECT, locked)
    assert failed.code == 1
    assert table(failed.out)["locked.pdf"][0] == "failed"
    assert "Failed documents stay in the project with the reason" in failed.out
    listing = plans("documents", PROJECT)
    assert listing.out.splitlines()[0].split() == ["ID", "NAME", "FORMAT", "STATUS", "PAGES", "WORDS", "NOTE"]
    [row] = listing.out.splitlines()[1:]
    assert "locked.pdf" in row and "FAILED" in row and "Password required" in row

    read = plans("import", PROJECT, locked, "--password", "æøå")
    assert read.code == 0 and table(read.out)["locked.pdf"][0] == "imported"
    [row] = plans("documents", PROJECT).out.splitlines()[1:]
    assert row.split()[:5] == ["1", "locked.pdf", "pdf", "READY", "1"]
