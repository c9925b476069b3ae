"""The table models obey Qt's model contract (qtmodeltester) and show what a researcher expects."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import JobStatus, JobType, ProjectStatus, ShareAccess
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.projects.list_model import (
    ROLE_ENTRY,
    ROLE_SECTION,
    ROLE_SUMMARY,
    ProjectEntry,
    ProjectListModel,
    describe,
)
from coderai_desktop.ui.run.jobs_model import COL_TOKENS, COL_TYPE, JobsTableModel


def summary(project_id: int, name: str, variables: int = 0) -> ProjectSummary:
    now = datetime.now(UTC)
    return ProjectSummary(
        id=project_id,
        context=ProjectContext(name=name),
        status=ProjectStatus.SCHEMA_DEFINED if variables else ProjectStatus.CREATED,
        variable_count=variables,
        document_count=1,
        created_at=now,
        updated_at=now,
    )


def test_project_list_model(qtmodeltester) -> None:
    mine = UserSession(1, "alice", 1)
    shared = UserSession(1, "alice", 5, ShareAccess.VIEWER, "ana")
    model = ProjectListModel()
    entries = [ProjectEntry(summary(1, "Alpha", 7), mine), ProjectEntry(summary(2, "Beta"), mine)]
    model.set_entries([*entries, ProjectEntry(summary(3, "Ana's"), shared)])
    qtmodeltester.check(model)
    assert model.index(0).data() == "Alpha"
    assert model.index(1).data(ROLE_SUMMARY).id == 2
    assert model.row_of(2) == 1 and model.row_of(9) is None
    assert model.index(2).data(ROLE_SECTION) == "SHARED WITH ME"
    assert not model.flags(model.index(2)) & Qt.ItemFlag.ItemIsSelectable, "a title cannot be selected"
    assert model.row_of(3) == 3 and model.index(3).data(ROLE_ENTRY).owner == "ana"
    assert describe(entries[0]) == "Codebook defined · 7 variables · 1 document"
    assert describe(model.index(3).data(ROLE_ENTRY)) == "ana · viewer"
    model.set_entries(entries)
    assert model.rowCount() == 2, "no section title without projects shared with me"


def job(**fields: object) -> JobSummary:
    now = datetime.now(UTC)
    values: dict[str, object] = {
        "id": 3,
        "project_id": 1,
        "job_type": JobType.FULL,
        "status": JobStatus.COMPLETED,
        "documents_total": 10,
        "documents_processed": 10,
        "documents_failed": 0,
        "consecutive_failures": 0,
        "tokens_in": 9000,
        "tokens_out": 1000,
        "cost": 0.01,
        "pause_reason": None,
        "error_message": None,
        "created_at": now,
        "started_at": now,
        "finished_at": now,
        "heartbeat_at": now,
        "mode": "grouped",
        "model": "gpt-4o-mini",
    }
    return JobSummary.model_validate(values | fields)


def test_the_runs_table_says_which_tokens_were_cached_and_which_runs_were_batches(qtmodeltester) -> None:
    model = JobsTableModel()
    model.set_rows([job(tokens_cached=6000, batch=True), job(id=2)])
    qtmodeltester.check(model)
    assert model.index(0, COL_TOKENS).data() == "10,000 (6,000 cached)"
    assert "read from the provider's cache" in model.index(0, COL_TOKENS).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, COL_TYPE).data() == "All documents (batch)"
    assert (model.index(1, COL_TOKENS).data(), model.index(1, COL_TYPE).data()) == ("10,000", "All documents")
    assert model.index(1, COL_TOKENS).data(Qt.ItemDataRole.ToolTipRole) is None
