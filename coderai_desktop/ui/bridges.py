"""Services report progress through plain callbacks; bridges turn those events into Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from coderai_desktop.domain.job import JobProgress
from coderai_desktop.ingest.report import ImportProgress


class ImportBridge(QObject):
    sig_progress = Signal(object)
    """An ImportProgress: after each file of an import."""

    def report(self, progress: ImportProgress) -> None:
        """The `progress` callback to hand to DocumentService.import_paths and reparse."""
        self.sig_progress.emit(progress)


class JobBridge(QObject):
    sig_progress = Signal(object)
    """A JobProgress: after each document of a run, and when its state changes."""

    def report(self, progress: JobProgress) -> None:
        """The `progress` callback to hand to JobService.run and resume."""
        self.sig_progress.emit(progress)
