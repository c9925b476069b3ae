"""Writes the self-test's sample documents into resources/self_test/ (run once; the files are committed):

    python -m tests.fakes.self_test_samples

Each is a few KB: the smallest file of its kind that still goes through the real reader.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

from coderai_desktop.self_test.samples import CSV_TEXT_COLUMN, SAMPLES, sample_path
from tests.fakes.documents import (
    csv_file,
    docx_from_xml,
    html_file,
    scanned_pdf,
    text_file,
    w_paragraph,
)

SMALL_PAGE = (300.0, 120.0)


def base14_pdf(folder: Path, name: str, text: str) -> Path:
    """A text PDF in Helvetica, which every PDF reader has: no font is embedded (documents.pdf_file embeds
    one, 10 KB more)."""
    path = folder / name
    with pymupdf.open() as document:
        document.new_page(width=SMALL_PAGE[0], height=SMALL_PAGE[1]).insert_text(
            (20, 40), text, fontname="helv"
        )
        document.set_metadata({"creationDate": "", "modDate": "", "producer": "", "creator": ""})
        document.save(path, garbage=3, deflate=True, no_new_id=True)
    return path


def write_samples() -> list[Path]:
    texts = {sample.file_name: sample.texts for sample in SAMPLES}
    folder = sample_path("")
    return [
        base14_pdf(folder, "text.pdf", texts["text.pdf"][0]),
        scanned_pdf(folder, "scanned.pdf", texts["scanned.pdf"][0]),
        docx_from_xml(folder, "letter.docx", "".join(w_paragraph(text) for text in texts["letter.docx"])),
        html_file(
            folder,
            "page.html",
            "".join(f"<p>{text}</p>" for text in texts["page.html"]),
            title="Self-test page",
        ),
        text_file(folder, "plan.txt", "\n".join(texts["plan.txt"]) + "\n"),
        csv_file(
            folder,
            "survey.csv",
            [{"id": n, CSV_TEXT_COLUMN: text} for n, text in enumerate(texts["survey.csv"], 1)],
        ),
    ]


if __name__ == "__main__":
    for path in write_samples():
        print(f"{path.stat().st_size:6d} bytes  {path}")
