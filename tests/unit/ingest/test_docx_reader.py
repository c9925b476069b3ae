"""DOCX reader: what a reader of the printed document sees, once each, and nothing it does not."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.readers import docx
from tests.fakes import documents
from tests.fakes.documents import w_content_control, w_paragraph, w_row, w_run, w_table
from tests.unit.ingest.helpers import read_failure, read_one


def read_xml(tmp_path: Path, body: str, parts: dict[str, str] | None = None, name: str = "doc.docx") -> str:
    return read_one(docx.read, documents.docx_from_xml(tmp_path, name, body, parts)).text


@pytest.mark.parametrize("name", ["report.docx", "report.docm"])
def test_paragraphs_and_tables_in_order_with_header_and_footer(tmp_path: Path, name: str) -> None:
    blocks = ["Introduction.", [["Country", "Votes"], ["Brazil", "120"]], "Conclusion."]
    path = documents.docx_file(tmp_path, name, blocks, header="Ministry of Finance", footer="Page footer")

    document = read_one(docx.read, path)

    assert document.text == (
        "Ministry of Finance\n\nIntroduction.\nCountry | Votes\nBrazil | 120\nConclusion.\n\nPage footer"
    )
    assert document.warnings == []


def test_headers_and_footers_repeated_per_section_appear_once(tmp_path: Path) -> None:
    parts = {
        "word/header1.xml": documents.header_part("Annual report 2023"),
        "word/header2.xml": documents.header_part("Annual report 2023"),
        "word/footer1.xml": documents.header_part("Confidential", kind="ftr"),
        "word/footer2.xml": documents.header_part("Confidential", kind="ftr"),
    }
    text = read_xml(tmp_path, w_paragraph("Body text."), parts)

    assert text.count("Annual report 2023") == 1
    assert text.count("Confidential") == 1
    assert "Body text." in text


def test_footnotes_and_endnotes_without_separators(tmp_path: Path) -> None:
    parts = {
        "word/footnotes.xml": documents.notes_part(
            "footnote", ["Source: census 2020."], continuation_notice="Continued on next page"
        ),
        "word/endnotes.xml": documents.notes_part("endnote", ["See the annex."]),
    }
    text = read_xml(tmp_path, w_paragraph("Main text."), parts)

    assert text.split("\n\n") == ["Main text.", "Source: census 2020.", "See the annex."]


def test_a_text_box_is_read_once_not_with_its_fallback_copy(tmp_path: Path) -> None:
    body = w_paragraph("Anchor paragraph.", documents.w_text_box("Boxed remark.")) + w_paragraph("Next.")

    assert read_xml(tmp_path, body) == "Anchor paragraph.\nBoxed remark.\nNext."


def test_content_controls_in_the_body_in_table_cells_and_in_runs(tmp_path: Path) -> None:
    body = (
        w_content_control(w_paragraph("Block control."))
        + w_table(
            [["Name", w_content_control(w_paragraph("Ana Souza"))], w_content_control(w_row(["Row control"]))]
        )
        + w_paragraph("Signed by ", w_content_control(w_run("the mayor")), ".")
    )

    assert read_xml(tmp_path, body).splitlines() == [
        "Block control.",
        "Name | Ana Souza",
        "Row control",
        "Signed by the mayor.",
    ]


def test_field_results_are_read_and_field_codes_are_not(tmp_path: Path) -> None:
    body = w_paragraph(
        "Meeting held on ",
        documents.w_field('DATE \\@ "d MMMM yyyy"', "3 March 2024"),
        ", see ",
        documents.w_field('HYPERLINK "https://example.org/annex"', "the annex"),
        ".",
    )

    assert read_xml(tmp_path, body) == "Meeting held on 3 March 2024, see the annex."


def test_tracked_insertions_are_kept_and_deletions_dropped(tmp_path: Path) -> None:
    body = w_paragraph("The budget ", documents.w_insertion("rose"), documents.w_deletion("fell"), " by 5%.")

    assert read_xml(tmp_path, body) == "The budget rose by 5%."


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that records whether anything connected to it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server


def test_external_entities_are_not_resolved(tmp_path: Path, listener: socket.socket) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SWORDFISH")
    port = listener.getsockname()[1]
    doctype = (
        f'<!DOCTYPE w:document [<!ENTITY secret SYSTEM "{secret.as_uri()}">'
        f'<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/evil.dtd"> %remote;]>'
    )
    body = "<w:p><w:r><w:t>Visible &secret;</w:t></w:r></w:p>"
    path = documents.docx_from_xml(tmp_path, "xxe.docx", body, prolog=doctype)

    text = read_one(docx.read, path).text

    assert text.startswith("Visible")
    assert "SWORDFISH" not in text
    with pytest.raises(BlockingIOError):
        listener.accept()


def test_a_password_protected_document_says_so(tmp_path: Path) -> None:
    failure = read_failure(docx.read, documents.encrypted_docx(tmp_path, "locked.docx"))

    assert failure.problem is DocumentProblem.UNREADABLE_FORMAT
    assert "password" in failure.message


def test_an_old_word_document_with_a_docx_name_says_so(tmp_path: Path) -> None:
    failure = read_failure(docx.read, documents.word97_file(tmp_path, "old.docx"))

    assert ".doc" in failure.message
    assert "password" not in failure.message


def test_a_truncated_document_is_salvaged_with_a_warning(tmp_path: Path) -> None:
    paragraphs = [documents.prose(seed, 60) for seed in range(20)]
    path = documents.truncated_docx(tmp_path, "cut.docx", paragraphs, keep=0.6)

    document = read_one(docx.read, path)

    assert document.text.splitlines()[:3] == paragraphs[:3]
    assert len(document.text) < len("\n".join(paragraphs))
    assert any("damaged" in warning for warning in document.warnings)


def test_a_truncated_document_with_nothing_left_is_damaged(tmp_path: Path) -> None:
    path = documents.truncated_docx(tmp_path, "cut.docx", ["Lost text."] * 50, keep=0.1)

    assert read_failure(docx.read, path).problem is DocumentProblem.DAMAGED


def test_a_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = documents.zip_file(tmp_path, "data.docx", {"readme.txt": "hello"})

    assert read_failure(docx.read, path).problem is DocumentProblem.UNREADABLE_FORMAT
