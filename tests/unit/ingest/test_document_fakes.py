"""The document generators themselves: the same arguments give the same bytes, and misuse is loud."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes import documents

GENERATORS: dict[str, Callable[[Path], Path]] = {
    "pdf": lambda folder: documents.pdf_file(folder, "a.pdf", ["Page one.", "Страница два.", "第三页"]),
    "scan": lambda folder: documents.scanned_pdf(folder, "a.pdf", "Scanned words"),
    "form": lambda folder: documents.form_pdf(folder, "a.pdf", {"Name": "Ana"}),
    "docx": lambda folder: documents.docx_file(folder, "a.docx", ["Text.", [["a", "b"]]], header="H"),
    "xml-docx": lambda folder: documents.docx_from_xml(folder, "a.docx", documents.w_paragraph("Text.")),
    "xlsx": lambda folder: documents.xlsx_file(folder, "a.xlsx", documents.example_rows(3)),
    "csv": lambda folder: documents.csv_file(folder, "a.csv", documents.example_rows(3)),
    "html": lambda folder: documents.html_file(folder, "a.html", "<p>Olá</p>", encoding="cp1252"),
}


@pytest.mark.parametrize("kind", GENERATORS)
def test_the_same_arguments_give_the_same_bytes(tmp_path: Path, kind: str) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()

    assert GENERATORS[kind](first).read_bytes() == GENERATORS[kind](second).read_bytes()


def test_text_that_does_not_fit_on_a_page_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        documents.pdf_file(tmp_path, "long.pdf", [documents.prose(1, 2000)])


def test_prose_has_the_requested_number_of_words() -> None:
    assert len(documents.prose(5, 123).split()) == 123
    assert documents.paragraphs(2, 4).count("\n\n") == 3
