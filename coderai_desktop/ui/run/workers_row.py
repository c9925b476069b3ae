"""Who is coding the current run (one process or several, on several computers), and a button to help."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.job import JobSummary

SQLITE_REASON = (
    "Several computers can work on one run only with a lab's PostgreSQL database; this database is a "
    "file on this computer, so the run is left to the process coding it."
)
HELP_TIP = "Code documents of this run here too, beside the workers already on it."


class WorkersRow(QWidget):
    sig_help = Signal()
    """The researcher asked to help with the run shown: this window joins it as one more worker."""

    def __init__(self, shares_runs: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self._shares_runs = shares_runs
        self.label = QLabel()
        self.label.setObjectName("hint")
        self.label.setWordWrap(True)
        self.help_button = QPushButton("Help with this run")
        self.help_button.setEnabled(False)  # until a run coded elsewhere is shown
        self.help_button.clicked.connect(self.sig_help.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, stretch=1)
        layout.addWidget(self.help_button)
        self.hide()

    def show_job(self, job: JobSummary | None, running_here: bool) -> None:
        """The workers of a running job; hidden for any other."""
        coded = job is not None and job.status is JobStatus.RUNNING and bool(job.workers)
        self.setVisible(coded)
        if job is None or not coded:
            self.help_button.setEnabled(False)
            return
        self.label.setText(job.workers_line())
        self.help_button.setEnabled(self._shares_runs and not running_here)
        if not self._shares_runs:
            self.help_button.setToolTip(SQLITE_REASON)
        elif running_here:
            self.help_button.setToolTip("This window is already coding documents of this run.")
        else:
            self.help_button.setToolTip(HELP_TIP)
