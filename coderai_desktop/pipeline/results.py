"""The dataset as a table: one row per document (or per entity), one column per variable named exactly as
the variable, the values of the latest run that coded each document."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.export.cells import safe_cell
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository
from coderai_desktop.persistence.tables import Document, Extraction

DOCUMENT, ENTITY_INDEX, ENTITY_TEXT = "document", "entity_index", "entity_text"


@dataclass(frozen=True)
class ResultsTable:
    columns: list[str]
    rows: list[dict[str, Any]]

    def write_csv(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=self.columns)
            writer.writeheader()
            for row in self.rows:
                writer.writerow({column: safe_cell(row.get(column)) for column in self.columns})


def results_table(session: Session, workspace_id: int, project_ref: int | str) -> ResultsTable:
    project = ProjectRepository(session, workspace_id).resolve(project_ref)
    variables = VariableRepository(session, workspace_id).of_project(project.id)
    names = {variable.id: variable.name for variable in variables}
    per_entity = project.unit_of_observation is UnitOfObservation.ENTITY
    columns = [DOCUMENT, *([ENTITY_INDEX, ENTITY_TEXT] if per_entity else []), *names.values()]
    query = (
        sa.select(Extraction, Document.file_name)
        .join(Document, Document.id == Extraction.document_id)
        .where(Extraction.workspace_id == workspace_id, Extraction.project_id == project.id)
        .order_by(Extraction.document_id, Extraction.job_id, Extraction.id)
    )
    latest_job: dict[int, int] = {}
    found: list[tuple[Extraction, str]] = []
    for extraction, file_name in session.execute(query):
        latest_job[extraction.document_id] = extraction.job_id  # ordered by job: the last one wins
        found.append((extraction, file_name))
    rows: dict[tuple[int, int | None], dict[str, Any]] = {}
    for extraction, file_name in found:
        if extraction.job_id != latest_job[extraction.document_id]:
            continue
        key = (extraction.document_id, extraction.entity_index)
        row = rows.setdefault(key, {DOCUMENT: file_name})
        if per_entity:
            row[ENTITY_INDEX], row[ENTITY_TEXT] = extraction.entity_index, extraction.entity_text
        if extraction.variable_id in names:
            row[names[extraction.variable_id]] = extraction.value
    ordered = [rows[key] for key in sorted(rows, key=lambda key: (key[0], -1 if key[1] is None else key[1]))]
    return ResultsTable(columns, ordered)
