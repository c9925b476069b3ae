"""The Run page: what a run will cost, starting it, following it, and pausing, resuming or cancelling it.

A run keeps going in the background while the researcher works elsewhere in the app; a run started in a
terminal (`coderai run`) or on another computer shows here too, refreshed from the database, with the
workers coding it. On a lab's PostgreSQL database this window can help with such a run: it joins it as one
more worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.job import JOB_TYPE_WORDS, Estimate, JobProgress, JobSummary, LogEntry
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.formatting import count, duration, money
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.ui.bridges import JobBridge
from coderai_desktop.ui.run.batch_choice import BatchChoice
from coderai_desktop.ui.run.jobs_model import COL_NOTE, ROLE_JOB, JobsTableModel
from coderai_desktop.ui.run.workers_row import WorkersRow
from coderai_desktop.ui.settings.provider_dialog import ProviderDialog
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.messages import ask
from coderai_desktop.ui.widgets.tables import read_only_table

REFRESH_MILLISECONDS = 2000  # while a run started elsewhere is going on
FOLLOW_MILLISECONDS = 1000  # the runs list and log, at most this often while a run here reports progress


class RunPage(QWidget):
    sig_project_changed = Signal()
    """A run ended or changed state: the project's status and counts elsewhere are out of date."""

    def __init__(
        self, jobs: JobService, providers: ProviderService, runner: TaskRunner, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self._jobs = jobs
        self._providers = providers
        self._runner = runner
        self._project: ProjectSummary | None = None
        self._current: JobSummary | None = None
        self._running: dict[int, asyncio.Task[JobSummary]] = {}  # job id -> its run in this window
        self.bridge = JobBridge(self)
        self.bridge.sig_progress.connect(self._show_progress)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MILLISECONDS)
        self._timer.timeout.connect(self.refresh_jobs)
        self._log_job: int | None = None
        self._follow_timer = QTimer(self)
        self._follow_timer.setSingleShot(True)
        self._follow_timer.setInterval(FOLLOW_MILLISECONDS)
        self._follow_timer.timeout.connect(self.refresh_jobs)
        self._follow_timer.timeout.connect(self.refresh_log)

        self.provider_label = QLabel()
        self.provider_label.setObjectName("hint")
        self.provider_button = self._button("Provider…", self.edit_provider)
        provider_row = QHBoxLayout()
        provider_row.addWidget(self.provider_label, stretch=1)
        provider_row.addWidget(self.provider_button)

        self.sample_radio = QRadioButton("A sample of")
        self.full_radio = QRadioButton("Every document not yet coded with this codebook")
        self.sample_radio.setChecked(True)
        choice = QButtonGroup(self)
        choice.addButton(self.sample_radio)
        choice.addButton(self.full_radio)
        choice.buttonToggled.connect(self.refresh_estimate)
        self.sample_size = QSpinBox()
        self.sample_size.setRange(1, 100_000)
        self.sample_size.setValue(10)
        self.sample_size.setSuffix(" documents")
        self.sample_size.valueChanged.connect(self.refresh_estimate)
        self.batch_choice = BatchChoice()
        self.estimate_label = QLabel()
        self.estimate_label.setWordWrap(True)
        self.start_button = self._button("Start run", self.start)
        self.start_button.setObjectName("primary")
        sample_row = QHBoxLayout()
        sample_row.addWidget(self.sample_radio)
        sample_row.addWidget(self.sample_size)
        sample_row.addStretch()
        new_box = QGroupBox("New run")
        new_layout = QVBoxLayout(new_box)
        new_layout.addLayout(sample_row)
        new_layout.addWidget(self.full_radio)
        new_layout.addWidget(self.batch_choice)
        start_row = QHBoxLayout()
        start_row.addWidget(self.estimate_label, stretch=1)
        start_row.addWidget(self.start_button)
        new_layout.addLayout(start_row)

        self.status_label = QLabel("No run in progress.")
        self.status_label.setObjectName("sectionTitle")
        self.progress_bar = QProgressBar()
        self.counters_label = QLabel()
        self.note_label = QLabel()
        self.note_label.setObjectName("nextStep")
        self.note_label.setWordWrap(True)
        self.note_label.hide()
        self.pause_button = self._button("Pause", self.pause)
        self.resume_button = self._button("Resume", self.resume)
        self.cancel_button = self._button("Cancel run", self.cancel)
        controls = QHBoxLayout()
        controls.addWidget(self.counters_label, stretch=1)
        for button in (self.pause_button, self.resume_button, self.cancel_button):
            controls.addWidget(button)
        self.workers_row = WorkersRow(jobs.shares_runs)
        self.workers_row.sig_help.connect(self.help_with_run)
        current_box = QGroupBox("Current run")
        current_layout = QVBoxLayout(current_box)
        current_layout.addWidget(self.status_label)
        current_layout.addWidget(self.progress_bar)
        current_layout.addLayout(controls)
        current_layout.addWidget(self.workers_row)
        current_layout.addWidget(self.note_label)

        self.jobs_model = JobsTableModel()
        self.jobs_table = read_only_table(self.jobs_model)
        header = self.jobs_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # a project has few runs
        header.setSectionResizeMode(COL_NOTE, QHeaderView.ResizeMode.Stretch)
        self.jobs_table.selectionModel().selectionChanged.connect(self._job_selected)
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.log_view.setPlaceholderText("Select a run to see its log.")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(provider_row)
        layout.addWidget(new_box)
        layout.addWidget(current_box)
        layout.addWidget(QLabel("Runs"))
        layout.addWidget(self.jobs_table, stretch=2)
        layout.addWidget(self.log_view, stretch=1)
        self._update_controls()

    @property
    def busy(self) -> bool:
        """A run is going on in this window (closing it pauses the run)."""
        return bool(self._running)

    def running_here(self, job: JobSummary | None) -> bool:
        return job is not None and job.id in self._running

    def stop_all(self) -> list[asyncio.Task[JobSummary]]:
        """Stop this window's runs (each is left PAUSED, to resume later); the tasks to wait for."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        return tasks

    def show_project(self, project: ProjectSummary) -> None:
        changed = self._project is None or self._project.id != project.id
        self._project = project
        if changed:
            self._current = None
            self._log_job = None
            self.log_view.clear()
            self.refresh_provider()
            self.refresh_estimate()
            self.refresh_jobs()

    def refresh_provider(self) -> None:
        if self._project is not None:
            self._runner.run(
                self._providers.settings(self._project.id),
                on_success=self._show_provider,
                name="run-provider",
            )

    def refresh_estimate(self) -> None:
        if self._project is None:
            return
        self.estimate_label.setText("Estimating…")
        sample = self.sample_size.value() if self.sample_radio.isChecked() else None
        self._runner.run(
            self._jobs.estimate(self._project.id, sample=sample),
            on_success=self._show_estimate,
            on_failure=lambda error: self.estimate_label.setText(str(error)),
            name="run-estimate",
        )

    def refresh_jobs(self) -> None:
        if self._project is not None:
            self._runner.run(self._jobs.jobs(self._project.id), on_success=self._show_jobs, name="run-jobs")

    def start(self) -> None:
        if self._project is None:
            return
        sample = self.sample_size.value() if self.sample_radio.isChecked() else None
        self.start_button.setEnabled(False)
        self._runner.run(
            self._jobs.start(self._project.id, sample=sample, batch=self.batch_choice.chosen),
            on_success=self._started,
            on_failure=self._start_failed,
            error_title="The run cannot start",
            parent=self,
        )

    def run_job(self, job_id: int, *, join: bool = False) -> None:
        """Run (or resume) a job here, in the background; `join`: help with it beside the workers already
        on it (a lab's PostgreSQL database)."""
        if job_id in self._running:
            return
        self.note_label.hide()
        self._running[job_id] = self._runner.run(
            self._jobs.run(job_id, self.bridge.report, join=join),
            on_success=self._finished,
            on_ended=lambda _task: self._after_run(job_id),
            error_title="The run stopped",
            parent=self,
        )
        self._update_controls()

    def pause(self) -> None:
        if self._current is not None:
            self._runner.run(self._jobs.pause(self._current.id), on_success=self._show_current, parent=self)

    def resume(self) -> None:
        if self._current is not None:
            self.run_job(self._current.id)

    def help_with_run(self) -> None:
        if self._current is not None:
            self.run_job(self._current.id, join=True)

    def cancel(self) -> None:
        job = self._current
        if job is None:
            return
        ask(
            self,
            "Cancel the run?",
            f"Cancel run {job.id}? The {count(job.documents_processed, 'document')} coded so far keep their "
            "results; the others are not coded.",
            "Cancel run",
            lambda: self._runner.run(self._jobs.cancel(job.id), on_success=self._show_current, parent=self),
            cancel_text="Keep the run",
        )

    def edit_provider(self) -> None:
        if self._project is None:
            return
        dialog = ProviderDialog(self._providers, self._runner, (self._project.id, self._project.name), self)
        dialog.sig_saved.connect(lambda _settings: self.refresh_provider())
        dialog.sig_saved.connect(lambda _settings: self.refresh_estimate())  # slots run in this order
        dialog.open()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_jobs()

    def hideEvent(self, event: QHideEvent) -> None:
        # Nothing polls the database for a page nobody sees; showing it again catches up.
        self._timer.stop()
        self._follow_timer.stop()
        super().hideEvent(event)

    # --- showing state ------------------------------------------------------------------------------

    def _show_provider(self, settings: ProviderSettings) -> None:
        self.batch_choice.show_provider(settings)
        where = settings.base_url or settings.azure_endpoint or "OpenAI"
        budget = f" · budget {settings.token_budget:,} tokens" if settings.token_budget else ""
        self.provider_label.setText(
            f"Model {settings.model} at {where} · up to {settings.concurrency} calls at once{budget}"
        )

    def _show_estimate(self, estimate: Estimate) -> None:
        basis = "" if estimate.measured else " (time assumed until a first run is measured)"
        text = (
            f"{count(estimate.documents, 'document')} · {count(estimate.calls, 'call')} · about "
            f"{estimate.input_tokens + estimate.output_tokens:,} tokens · {money(estimate.cost)} · "
            f"about {duration(estimate.seconds)}{basis}"
        )
        if (alone := estimate.without_packing) is not None:
            text += (
                f"\nShort documents travel together: {estimate.documents_per_call:.1f} documents per call. "
                f"Without packing: {count(alone.calls, 'call')}, about "
                f"{alone.input_tokens + alone.output_tokens:,} tokens, {money(alone.cost)}."
            )
        if estimate.cached_tokens:
            text += (
                f"\n{estimate.cached_tokens:,} of the input tokens repeat a prompt the provider has cached, "
                "and cost less."
            )
        if estimate.batch_cost is not None:
            text += f"\nThrough the Batch API: {money(estimate.batch_cost)}, results within 24 hours."
        self.estimate_label.setText(text)

    def _show_jobs(self, jobs: list[JobSummary]) -> None:
        self.jobs_model.set_rows(jobs)
        unfinished = next((job for job in jobs if job.unfinished), None)
        current = unfinished or (jobs[0] if jobs and self._current is not None else None)
        if current is not None:
            self._show_current(current)
        # A run in another window or terminal: follow it from the database.
        elsewhere = (
            unfinished
            if unfinished and unfinished.status is JobStatus.RUNNING and not self.running_here(unfinished)
            else None
        )
        if elsewhere is None:
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start()
        if elsewhere is not None and self._log_job == elsewhere.id:
            self.refresh_log()
        self._update_controls()

    def _show_current(self, job: JobSummary) -> None:
        self._current = job
        if self._log_job is None:  # the log follows the current run until another run is selected
            self._log_job = job.id
            self.refresh_log()
        self.status_label.setText(
            f"Run {job.id} · {JOB_TYPE_WORDS[job.job_type]} · {job.status.lower()} · {job.model}"
        )
        self._show_counts(
            job.documents_total,
            job.documents_processed,
            job.documents_failed,
            job.tokens_in + job.tokens_out,
            job.cost,
        )
        self.note_label.setText(job.pause_reason or "")
        self.note_label.setVisible(bool(job.pause_reason) and job.unfinished)
        self.workers_row.show_job(job, self.running_here(job))
        self._update_controls()

    def _show_progress(self, progress: JobProgress) -> None:
        if not self._showing(progress.job_id):
            return
        self._show_counts(
            progress.total,
            progress.processed,
            progress.failed,
            progress.tokens_in + progress.tokens_out,
            progress.cost,
        )
        if progress.current:
            self.status_label.setText(
                f"Run {progress.job_id} · {progress.status.lower()} · coding {progress.current}"
            )
        elif progress.message and progress.status is JobStatus.RUNNING:  # a batch job: what it waits for
            self.note_label.setText(progress.message)
            self.note_label.show()
        if not self._follow_timer.isActive():
            self._follow_timer.start()

    def _show_counts(self, total: int, processed: int, failed: int, tokens: int, cost: float) -> None:
        self.progress_bar.setMaximum(max(total, 1))
        self.progress_bar.setValue(processed + failed)
        failed_text = f" · {failed} failed" if failed else ""
        self.counters_label.setText(
            f"{processed} of {total} coded{failed_text} · {tokens:,} tokens · ${cost:.4f}"
        )

    def _job_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.jobs_table.selectionModel().selectedRows()
        if rows:
            self._log_job = rows[0].data(ROLE_JOB).id
            self.refresh_log()

    def refresh_log(self) -> None:
        if self._log_job is not None:
            self._runner.run(self._jobs.log(self._log_job), on_success=self._show_log, name="run-log")

    def _show_log(self, entries: list[LogEntry]) -> None:
        self.log_view.setPlainText("\n".join(entry.line() for entry in entries))
        self.log_view.verticalScrollBar().setValue(self.log_view.verticalScrollBar().maximum())

    def _started(self, job: JobSummary) -> None:
        self._log_job = None
        self._show_current(job)
        self.run_job(job.id)
        self.refresh_jobs()

    def _finished(self, job: JobSummary) -> None:
        if self._showing(job.id):
            self._show_current(job)

    def _showing(self, job_id: int) -> bool:
        """Whether `job_id` is the run on screen (runs of other projects go on unseen)."""
        return self._current is not None and self._current.id == job_id

    def _start_failed(self, error: BaseException) -> None:
        self.start_button.setEnabled(True)
        self._runner.report_failure(self, "The run cannot start", error)

    def _after_run(self, job_id: int) -> None:
        del self._running[job_id]
        self._update_controls()  # Resume is offered now, not only once the jobs list is reloaded
        self._follow_timer.stop()  # its refreshes are done here and now
        self.refresh_jobs()
        self.refresh_log()
        self.refresh_estimate()
        self.sig_project_changed.emit()

    def _update_controls(self) -> None:
        job = self._current
        unfinished = job is not None and job.unfinished
        running = job is not None and (job.status is JobStatus.RUNNING or self.running_here(job))
        # A RUNNING job without live workers was interrupted (its process killed): it can be resumed.
        worked_on = job is not None and (self.running_here(job) or bool(job.workers))
        self.start_button.setEnabled(self._project is not None and not unfinished)
        self.start_button.setToolTip("Resume or cancel the unfinished run first." if unfinished else "")
        self.pause_button.setEnabled(running)
        self.resume_button.setEnabled(unfinished and not worked_on)
        self.cancel_button.setEnabled(unfinished)

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        return button
