"""What an import tells the person who started it: progress as it goes, and one line per file at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class FileOutcome:
    name: str
    outcome: Outcome
    detail: str
    document_id: int | None = None


@dataclass
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for item in self.outcomes if item.outcome is outcome)

    @property
    def nothing_read(self) -> bool:
        """True when files were offered and not one could be read (duplicates were read before)."""
        read = self.count(Outcome.IMPORTED) + self.count(Outcome.DUPLICATE)
        return read == 0 and bool(self.outcomes)

    def summary(self) -> str:
        parts = [f"{self.count(outcome)} {outcome.value}" for outcome in Outcome if self.count(outcome)]
        return ", ".join(parts) or "nothing to import"


@dataclass(frozen=True)
class ImportProgress:
    """After each file: how many of the files are done, which one finished, how many failed so far."""

    done: int
    total: int
    current: str
    failed: int
