"""Progress events: one per file as it finishes, so a progress bar can count up and name the file."""

from __future__ import annotations

from pathlib import Path

from coderai_desktop.ingest.report import ImportProgress, Outcome
from coderai_desktop.ingest.service import DocumentService
from tests.fakes.documents import docx_file, encrypted_pdf, pdf_file, prose, text_file

READABLE = [f"report-{n}.txt" for n in range(6)]
FAILING = ["empty.txt", "spaces.txt", "locked.pdf"]


def make_files(folder: Path) -> None:
    for number, name in enumerate(READABLE):
        text_file(folder, name, prose(number, 40))
    pdf_file(folder, "minutes.pdf", ["Minutes.", "More minutes."])
    docx_file(folder, "letter.docx", ["A letter."])
    text_file(
        folder, "empty.txt", ""
    )  # (two empty files would hit the duplicate race: see test_import_dedupe)
    text_file(folder, "spaces.txt", "  \n ")
    encrypted_pdf(folder, "locked.pdf", "Locked.", "pw")
    text_file(folder, "photo.png", "skipped: not counted")


async def test_progress_counts_every_file_once_and_names_it(
    documents: DocumentService, project: int, tmp_path: Path
) -> None:
    make_files(tmp_path)
    events: list[ImportProgress] = []

    report = await documents.import_paths(project, [tmp_path], progress=events.append)

    total = len(READABLE) + 2 + len(FAILING)
    assert [event.done for event in events] == list(range(1, total + 1))
    assert {event.total for event in events} == {total}
    assert sorted(event.current for event in events) == sorted(
        [*READABLE, "minutes.pdf", "letter.docx", *FAILING]
    )
    failed = [event.failed for event in events]
    assert failed == sorted(failed) and failed[-1] == len(FAILING) == report.count(Outcome.FAILED)
    for event in events:  # a file's failure is counted in the event that names it
        outcome = next(item for item in report.outcomes if item.name == event.current).outcome
        earlier = [e for e in events if e.done < event.done]
        assert event.failed == (earlier[-1].failed if earlier else 0) + (outcome is Outcome.FAILED)


async def test_reading_again_reports_progress_too(
    documents: DocumentService, project: int, tmp_path: Path
) -> None:
    for number in range(3):
        encrypted_pdf(tmp_path, f"locked-{number}.pdf", f"Locked {number}.", "pw")
    report = await documents.import_paths(project, [tmp_path])
    ids = [item.document_id for item in report.outcomes if item.document_id is not None]
    events: list[ImportProgress] = []

    again = await documents.reparse(project, ids, password="pw", progress=events.append)

    assert again.count(Outcome.IMPORTED) == 3
    assert [(event.done, event.total, event.failed) for event in events] == [(1, 3, 0), (2, 3, 0), (3, 3, 0)]
    assert [event.current for event in events] == [f"locked-{number}.pdf" for number in range(3)]
