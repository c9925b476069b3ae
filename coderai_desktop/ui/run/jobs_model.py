"""A project's runs, newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.job import JOB_TYPE_WORDS, JobSummary
from coderai_desktop.formatting import local_time, money
from coderai_desktop.ui.widgets.tables import Index, ListTableModel

COL_ID, COL_TYPE, COL_STATUS, COL_DONE, COL_FAILED, COL_TOKENS, COL_COST, COL_STARTED, COL_NOTE = range(9)
HEADERS = ("Run", "Type", "Status", "Coded", "Failed", "Tokens", "Cost", "Started", "Notes")
ROLE_JOB = Qt.ItemDataRole.UserRole + 1
STATUS_COLOUR = {
    JobStatus.FAILED: QColor("#b3261e"),
    JobStatus.PAUSED: QColor("#8a5a00"),
    JobStatus.COMPLETED: QColor("#1e6b3a"),
    JobStatus.RUNNING: QColor("#1f5f8b"),
}


class JobsTableModel(ListTableModel[JobSummary]):
    headers = HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        job = self.item(index)
        if job is None:
            return None
        column = index.column()
        if role == ROLE_JOB:
            return job
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_STATUS:
            return STATUS_COLOUR.get(job.status)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_NOTE:
            return job.pause_reason or None
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_TOKENS and job.tokens_cached:
            return f"{job.tokens_cached:,} of the prompt tokens were read from the provider's cache (billed lower)"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        cells = {
            COL_ID: job.id,
            COL_TYPE: JOB_TYPE_WORDS[job.job_type].capitalize() + (" (batch)" if job.batch else ""),
            COL_STATUS: job.status.capitalize(),
            COL_DONE: f"{job.documents_processed} of {job.documents_total}",
            COL_FAILED: job.documents_failed or "",
            COL_TOKENS: f"{job.tokens_in + job.tokens_out:,}"
            + (f" ({job.tokens_cached:,} cached)" if job.tokens_cached else ""),
            COL_COST: money(job.cost),
            COL_STARTED: local_time(job.started_at) if job.started_at else "",
            COL_NOTE: job.pause_reason or "",
        }
        return cells[column]
