"""What the app shows of a document: where it came from, how it was read, and why it failed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from coderai_desktop.domain.enums import DocumentFormat, DocumentProblem, DocumentStatus


class DocumentSummary(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    id: int
    project_id: int
    file_name: str
    original_path: str
    format: DocumentFormat
    status: DocumentStatus
    size_bytes: int
    page_count: int | None
    word_count: int | None
    char_count: int | None
    encoding: str | None
    error_message: str | None
    problem: DocumentProblem | None
    warnings: list[str]
    import_metadata: dict[str, Any]
    chunk_count: int
    created_at: datetime
    duplicate_of: int | None = None  # the earlier document with the same text, whose values it shares
    code_separately: bool = False  # coded on its own all the same, as the researcher asked

    @property
    def needs_password(self) -> bool:
        return self.problem in (DocumentProblem.PASSWORD_REQUIRED, DocumentProblem.WRONG_PASSWORD)

    @property
    def shares_values(self) -> bool:
        """Coded once with the document it repeats: a run codes that one and gives this one its values."""
        return self.duplicate_of is not None and not self.code_separately


class DuplicateGroup(BaseModel):
    """A document and the later ones with the same text (near-duplicates)."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    original: DocumentSummary
    duplicates: list[DocumentSummary]


class DocumentText(BaseModel):
    """A document's text and where each page starts in it."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    id: int
    file_name: str
    text: str
    page_offsets: list[int]

    def page_at(self, offset: int) -> int:
        """The 1-based page that holds the character at `offset`."""
        return max(1, sum(1 for start in self.page_offsets if start <= offset))
