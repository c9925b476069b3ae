"""The path a project follows, as the Overview shows it: documents imported, codebook defined, sample coded,
sample reviewed, agreement verdict, full run, exported; each stage with its state, its numbers in words and
the action that takes it further."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class StageKey(StrEnum):
    DOCUMENTS = "documents"
    CODEBOOK = "codebook"
    SAMPLE = "sample"
    REVIEW = "review"
    AGREEMENT = "agreement"
    FULL_RUN = "full run"
    EXPORT = "export"


class StageState(StrEnum):
    DONE = "done"
    CURRENT = "current"  # the first stage the path waits on: where the next step is
    TODO = "todo"
    ATTENTION = "attention"  # something to look at: failed documents, variables below the level...


@dataclass(frozen=True)
class Stage:
    key: StageKey
    title: str
    state: StageState
    detail: str  # the numbers, in words: "42 of 60 sampled values reviewed"
    page: str  # the page that takes the stage further ("documents", "codebook", "run", "results"...)
    button: str  # what the button that goes there says ("Import documents")
    # The path has gone past this stage: it is done, or done enough to go on (some documents failed but
    # others are ready), or a later step was taken without it (a full run without a reviewed sample).
    passed: bool = False

    @property
    def done(self) -> bool:
        return self.state is StageState.DONE


@dataclass(frozen=True)
class ProjectPath:
    project_id: int
    stages: tuple[Stage, ...]
    spent: float = 0.0  # dollars, over every run of the project (0 when no prices are set)
    tokens: int = 0  # input + output, over every run
    token_budget: int | None = None  # per run, when one is set

    @classmethod
    def of(cls, project_id: int, stages: list[Stage], **figures: Any) -> ProjectPath:
        """The path with its first stage the path waits on marked CURRENT (unless it needs attention)."""
        waiting = next((stage for stage in stages if not stage.passed), None)
        marked = tuple(
            replace(stage, state=StageState.CURRENT)
            if stage is waiting and stage.state is StageState.TODO
            else stage
            for stage in stages
        )
        return cls(project_id, marked, **figures)

    @property
    def next(self) -> Stage | None:
        """The stage the next step belongs to: the first one the path has not gone past (None: all done)."""
        return next((stage for stage in self.stages if not stage.passed), None)

    def stage(self, key: StageKey) -> Stage:
        return next(stage for stage in self.stages if stage.key is key)


@dataclass(frozen=True)
class LastExport:
    """What projects.last_export records: {"at": ISO time, "format": "csv", "rows": 120, "file": "plans.csv"}."""

    at: datetime
    format: str
    rows: int
    file: str

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "format": self.format, "rows": self.rows, "file": self.file}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> LastExport | None:
        """None for nothing recorded, or a record this version cannot read."""
        if not isinstance(data, dict):
            return None
        try:
            at = datetime.fromisoformat(str(data["at"]))
            return cls(
                at if at.tzinfo is not None else at.replace(tzinfo=UTC),
                str(data["format"]),
                int(data["rows"]),
                str(data.get("file") or ""),
            )
        except (KeyError, TypeError, ValueError):
            return None
