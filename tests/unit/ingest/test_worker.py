"""The parser process's task, called in-process: read one file, plan its chunks."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from coderai_desktop.domain.enums import DocumentFormat, DocumentProblem
from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.ingest.parsed import ReadFailure, ReadOptions
from coderai_desktop.ingest.worker import WorkerOutput, parse_file
from tests.fakes import documents


def test_a_document_is_read_and_chunked(tmp_path: Path) -> None:
    text = documents.paragraphs(1, 12)
    path = documents.text_file(tmp_path, "long.txt", text)

    [output] = parse_file(str(path), DocumentFormat.TXT, ReadOptions(), ChunkPolicy.fit(200))

    assert isinstance(output, WorkerOutput)
    assert output.document.text == text
    assert len(output.chunks) > 1
    assert (output.chunks[0].start, output.chunks[-1].end) == (0, len(text))


def test_a_pdf_is_read_with_its_pages(tmp_path: Path) -> None:
    path = documents.pdf_file(tmp_path, "two.pdf", ["Page one.", "Page two."])

    [output] = parse_file(str(path), DocumentFormat.PDF, ReadOptions(), ChunkPolicy.fit(1000))

    assert output.document.page_offsets == [0, 11]
    assert [(chunk.start, chunk.end) for chunk in output.chunks] == [(0, len(output.document.text))]


def test_each_spreadsheet_row_is_an_output_and_an_empty_row_has_no_chunks(tmp_path: Path) -> None:
    rows = [{"Text": "First answer.", "ID": 1}, {"Text": "", "ID": 2}]
    path = documents.xlsx_file(tmp_path, "rows.xlsx", rows)

    outputs = parse_file(
        str(path), DocumentFormat.XLSX, ReadOptions(text_column="Text"), ChunkPolicy.fit(100)
    )

    assert [(output.document.row, len(output.chunks)) for output in outputs] == [(2, 1), (3, 0)]


def test_a_read_failure_crosses_the_process_boundary_whole(tmp_path: Path) -> None:
    path = documents.encrypted_pdf(tmp_path, "locked.pdf", "Secret.", "pw")

    with pytest.raises(ReadFailure) as caught:
        parse_file(str(path), DocumentFormat.PDF, ReadOptions(), ChunkPolicy.fit(100))

    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.problem, copy.message) == (DocumentProblem.PASSWORD_REQUIRED, caught.value.message)
