"""Realistic rows written with the app's tables and repositories, for tests that need data to protect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import (
    DocumentFormat,
    DocumentStatus,
    ExtractionStatus,
    FeedbackType,
    JobItemStatus,
    JobStatus,
    JobType,
    LogEventType,
    MatchStatus,
    PromptReason,
    VariableType,
)
from coderai_desktop.persistence.base import Base
from coderai_desktop.persistence.repositories.accounts import AccountRepository
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.extractions import ExtractionRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository
from coderai_desktop.persistence.tables import (
    Document,
    DocumentChunk,
    Extraction,
    ExtractionFeedback,
    JobItem,
    ProcessingJob,
    ProcessingLog,
    Project,
    Prompt,
    Variable,
)

STARTED = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class ProjectRows:
    workspace_id: int
    project_id: int
    variable_id: int
    document_id: int
    job_id: int
    prompt_id: int
    extraction_id: int


def add_workspace(session: Session, login: str) -> int:
    _account, workspace = AccountRepository(session).add_with_workspace(login, "$argon2id$not-a-real-hash")
    return workspace.id


def add_project(session: Session, workspace_id: int, name: str = "Climate plans") -> Project:
    return ProjectRepository(session, workspace_id).add(Project(name=name, domain="Public policy"))


def add_variable(session: Session, workspace_id: int, project_id: int, name: str = "plan_title") -> Variable:
    variable = Variable(project_id=project_id, name=name, type=VariableType.TEXT, instructions="The title.")
    return VariableRepository(session, workspace_id).add(variable)


def add_document(session: Session, workspace_id: int, project_id: int, sha256: str = "a" * 64) -> Document:
    document = Document(
        project_id=project_id,
        file_name="oslo-climate-plan.pdf",
        original_path="/home/ana/corpus/oslo-climate-plan.pdf",
        sha256=sha256,
        size_bytes=482_113,
        format=DocumentFormat.PDF,
        page_count=42,
        text="Oslo Climate Strategy 2030. The city will cut emissions by 95 percent.",
        page_offsets=[0, 1800],
        status=DocumentStatus.READY,
    )
    return DocumentRepository(session, workspace_id).add(document)


def add_job(session: Session, workspace_id: int, project_id: int) -> ProcessingJob:
    job = ProcessingJob(
        workspace_id=workspace_id,
        project_id=project_id,
        job_type=JobType.SAMPLE,
        status=JobStatus.RUNNING,
        selection={"mode": "random", "size": 20, "seed": 7},
        settings={"model": "gpt-4o-mini", "temperature": 0.0},
        documents_total=20,
        started_at=STARTED,
    )
    return _add(session, job)


def add_extraction(
    session: Session, workspace_id: int, *, entity_index: int | None = None, **ids: int | None
) -> Extraction:
    """ids: project_id, job_id, document_id, variable_id and optionally prompt_id."""
    extraction = Extraction(
        entity_index=entity_index,
        value="Oslo Climate Strategy 2030",
        confidence=0.93,
        evidence_quote="Oslo Climate Strategy 2030",
        char_start=0,
        char_end=26,
        page=1,
        match_status=MatchStatus.EXACT,
        status=ExtractionStatus.EXTRACTED,
        model="gpt-4o-mini",
        temperature=0.0,
        tokens_in=1200,
        tokens_out=40,
        **ids,
    )
    return ExtractionRepository(session, workspace_id).add(extraction)


def fill_project(session: Session, workspace_id: int, project_id: int, variable_id: int) -> ProjectRows:
    """A document, a chunk, a job with its item, a prompt, an extraction with feedback, and a log line."""
    document = add_document(session, workspace_id, project_id)
    _add(
        session,
        DocumentChunk(
            workspace_id=workspace_id,
            document_id=document.id,
            token_budget=8000,
            chunk_index=0,
            char_start=0,
            char_end=70,
            token_estimate=18,
        ),
    )
    job = add_job(session, workspace_id, project_id)
    _add(
        session,
        JobItem(
            workspace_id=workspace_id,
            job_id=job.id,
            document_id=document.id,
            status=JobItemStatus.DONE,
            attempts=1,
            tokens_in=1200,
            tokens_out=40,
        ),
    )
    prompt = _add(
        session,
        Prompt(
            workspace_id=workspace_id,
            project_id=project_id,
            variable_id=variable_id,
            scope_key="variable:plan_title",
            variable_names=["plan_title"],
            version=1,
            system_prompt="You code climate plans.",
            message_template="{document}",
            model="gpt-4o-mini",
            temperature=0.0,
            max_tokens=800,
            response_schema={"type": "object"},
            reason=PromptReason.CREATED,
        ),
    )
    extraction = add_extraction(
        session,
        workspace_id,
        project_id=project_id,
        job_id=job.id,
        document_id=document.id,
        variable_id=variable_id,
        prompt_id=prompt.id,
    )
    _add(
        session,
        ExtractionFeedback(
            workspace_id=workspace_id,
            extraction_id=extraction.id,
            feedback_type=FeedbackType.CORRECT,
            user_note="Checked on page 1.",
        ),
    )
    _add(
        session,
        ProcessingLog(
            workspace_id=workspace_id,
            project_id=project_id,
            job_id=job.id,
            document_id=document.id,
            event_type=LogEventType.DOC_COMPLETED,
            message="Extracted 1 value",
            details={"seconds": 2.4},
        ),
    )
    return ProjectRows(workspace_id, project_id, variable_id, document.id, job.id, prompt.id, extraction.id)


def seed_workspace(session: Session, login: str) -> ProjectRows:
    """An account with a workspace holding one project full of data."""
    workspace_id = add_workspace(session, login)
    project = add_project(session, workspace_id)
    variable = add_variable(session, workspace_id, project.id)
    return fill_project(session, workspace_id, project.id, variable.id)


def snapshot(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the app knows, by primary key: compare two to prove nothing changed."""
    return {
        table.name: [tuple(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key))]
        for table in Base.metadata.sorted_tables
    }


def _add(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()
    return row
