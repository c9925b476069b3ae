"""What a reader returns, what makes it fail, and the options it is given (all picklable for workers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coderai_desktop.domain.enums import DocumentProblem


@dataclass(frozen=True)
class ReadOptions:
    password: str | None = None
    # Spreadsheets: the column holding each row's text, and the sheet (default: the first).
    text_column: str | None = None
    sheet: str | None = None
    # Tesseract language codes, e.g. ("eng", "rus"); OCR runs only where a page has no usable text.
    ocr_enabled: bool = True
    ocr_languages: tuple[str, ...] = ("eng",)
    ocr_dpi: int = 250
    max_pdf_pages: int = 5000


@dataclass
class ParsedDocument:
    """The text of one document (or one spreadsheet row), ready to be stored."""

    text: str
    # Character offset at which each page starts (one entry per page; [0] for formats without pages).
    page_offsets: list[int] = field(default_factory=lambda: [0])
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Spreadsheet rows: the other columns, and the row's number as the spreadsheet shows it.
    metadata: dict[str, Any] = field(default_factory=dict)
    row: int | None = None

    @property
    def page_count(self) -> int:
        return len(self.page_offsets)


class ReadFailure(Exception):
    """The document cannot be read; the message says why and what to do, the problem says what kind."""

    def __init__(self, problem: DocumentProblem, message: str):
        super().__init__(message)
        self.problem = problem
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:  # keep both fields across the process boundary
        return (ReadFailure, (self.problem, self.message))
