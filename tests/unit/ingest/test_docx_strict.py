"""Word's "Strict Open XML" files (ISO/IEC 29500 Strict namespaces and relationship types) are read exactly
like the Transitional files Word writes by default."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from coderai_desktop.ingest.readers import docx
from tests.fakes import documents
from tests.fakes.documents import w_content_control, w_paragraph, w_row, w_run, w_table
from tests.unit.ingest.helpers import read_one

Write = Callable[[Path, str], Path]

NOTES = {
    "word/footnotes.xml": documents.notes_part(
        "footnote", ["Source: census 2020."], continuation_notice="More"
    ),
    "word/endnotes.xml": documents.notes_part("endnote", ["See the annex."]),
}
CASES: dict[str, tuple[Write, str]] = {
    "python-docx body, table, header and footer": (
        lambda folder, name: documents.docx_file(
            folder,
            name,
            ["Introduction.", [["Country", "Votes"], ["Brazil", "120"]]],
            header="Ministry",
            footer="Page 1",
        ),
        "Ministry\n\nIntroduction.\nCountry | Votes\nBrazil | 120\n\nPage 1",
    ),
    "footnotes and endnotes without separators": (
        lambda folder, name: documents.docx_from_xml(folder, name, w_paragraph("Main text."), NOTES),
        "Main text.\n\nSource: census 2020.\n\nSee the annex.",
    ),
    "text box once, without its fallback copy": (
        lambda folder, name: documents.docx_from_xml(
            folder, name, w_paragraph("Anchor.", documents.w_text_box("Boxed remark.")) + w_paragraph("Next.")
        ),
        "Anchor.\nBoxed remark.\nNext.",
    ),
    "content controls in body, cells, rows and runs": (
        lambda folder, name: documents.docx_from_xml(
            folder,
            name,
            w_content_control(w_paragraph("Block control."))
            + w_table(
                [["Name", w_content_control(w_paragraph("Ana"))], w_content_control(w_row(["Row control"]))]
            )
            + w_paragraph("Signed by ", w_content_control(w_run("the mayor")), "."),
        ),
        "Block control.\nName | Ana\nRow control\nSigned by the mayor.",
    ),
    "field results, insertions, not deletions": (
        lambda folder, name: documents.docx_from_xml(
            folder,
            name,
            w_paragraph(
                "Held on ",
                documents.w_field("DATE", "3 March 2024"),
                "; the budget ",
                documents.w_insertion("rose"),
                documents.w_deletion("fell"),
                ".",
            ),
        ),
        "Held on 3 March 2024; the budget rose.",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_strict_document_reads_like_its_transitional_twin(tmp_path: Path, case: str) -> None:
    write, expected = CASES[case]
    transitional = write(tmp_path, "transitional.docx")
    strict = documents.as_strict(write(tmp_path, "strict.docx"))
    assert "purl.oclc.org/ooxml/wordprocessingml/main" in _part(strict, "word/document.xml")

    assert read_one(docx.read, transitional).text == expected
    assert read_one(docx.read, strict).text == expected


def test_the_main_part_is_found_by_its_strict_relationship(tmp_path: Path) -> None:
    # Only _rels/.rels says where the document is when it is not word/document.xml.
    path = documents.docx_from_xml(tmp_path, "renamed.docx", w_paragraph("Found by relationship."), NOTES)
    documents.as_strict(path, main_part="word/document2.xml")

    assert (
        read_one(docx.read, path).text == "Found by relationship.\n\nSource: census 2020.\n\nSee the annex."
    )


def test_a_truncated_strict_document_is_salvaged(tmp_path: Path) -> None:
    paragraphs = [documents.prose(seed, 60) for seed in range(20)]
    path = documents.docx_from_xml(tmp_path, "cut.docx", "".join(w_paragraph(text) for text in paragraphs))
    data = documents.as_strict(path).read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])

    document = read_one(docx.read, path)

    assert document.text.splitlines()[:3] == paragraphs[:3]
    assert any("damaged" in warning for warning in document.warnings)


def _part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode()
