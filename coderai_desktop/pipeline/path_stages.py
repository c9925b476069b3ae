"""The seven stages of a project's path, each from what was read of the project: its state, its numbers in
words, and the page and button that take it further."""

from __future__ import annotations

from datetime import datetime

from coderai_desktop.domain.agreement import MIN_UNITS, AgreementReport, Verdict
from coderai_desktop.domain.enums import (
    UNFINISHED_JOB_STATUSES,
    DocumentStatus,
    JobStatus,
    JobType,
)
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.domain.project_path import LastExport, Stage, StageKey, StageState
from coderai_desktop.formatting import count, money
from coderai_desktop.persistence.run_locks import stale_before
from coderai_desktop.review.records import AIValue, ProjectRecords

DONE, TODO, ATTENTION = StageState.DONE, StageState.TODO, StageState.ATTENTION
FORMAT_NAMES = {
    "csv": "CSV",
    "csv-long": "CSV (one row per value)",
    "xlsx": "Excel",
    "json": "JSON",
    "dta": "Stata",
    "sav": "SPSS",
}
WORK = (Verdict.TENTATIVE, Verdict.NEEDS_WORK)
UNMEASURED = (Verdict.TOO_FEW, Verdict.NOT_MEASURED)


class Stages:
    def __init__(self, jobs: list[JobSummary]):
        self._jobs = jobs
        self.spent = sum(job.cost for job in jobs)
        self.tokens = sum(job.tokens_in + job.tokens_out for job in jobs)
        # A full run started: the sample's stages no longer hold the path up (the researcher went on).
        self._went_on = any(job.job_type is JobType.FULL for job in jobs)

    def documents(self, counts: dict[DocumentStatus, int]) -> Stage:
        ready, failed = counts.get(DocumentStatus.READY, 0), counts.get(DocumentStatus.FAILED, 0)
        importing = sum(counts.values()) - ready - failed
        title, page = "Documents imported", "documents"
        if failed:
            detail = f"{ready:,} ready, {failed:,} could not be read"
            if importing:
                detail += f", {importing:,} being imported"
            return Stage(StageKey.DOCUMENTS, title, ATTENTION, detail, page, "Open documents", ready > 0)
        if ready:
            detail = count(ready, "document") + " ready"
            if importing:
                detail += f", {importing:,} being imported"
            return Stage(StageKey.DOCUMENTS, title, DONE, detail, page, "Import documents", True)
        detail = f"{count(importing, 'document')} being imported" if importing else "No documents yet"
        return Stage(StageKey.DOCUMENTS, title, TODO, detail, page, "Import documents")

    def codebook(self, variables: int) -> Stage:
        if variables:
            detail = count(variables, "variable")
            return Stage(
                StageKey.CODEBOOK, "Codebook defined", DONE, detail, "codebook", "Open the codebook", True
            )
        return Stage(
            StageKey.CODEBOOK, "Codebook defined", TODO, "No variables yet", "codebook", "Define the codebook"
        )

    def sample(self, records: ProjectRecords | None) -> Stage:
        title, key = "Sample coded", StageKey.SAMPLE
        samples = [job for job in self._jobs if job.job_type is JobType.SAMPLE]
        finished = [job for job in samples if job.status is JobStatus.COMPLETED]
        latest = samples[-1] if samples else None
        passed = bool(finished) or self._went_on
        if latest is not None and latest.status in UNFINISHED_JOB_STATUSES:
            state, button = running(latest)
            again = "Coding a new sample: " if finished else ""
            return Stage(key, title, TODO, again + progress(latest, state), "run", button, passed)
        if finished:
            documents = len({value.document_id for value in records.all_values()}) if records else 0
            coded = documents or finished[-1].documents_processed
            detail = f"{count(coded, 'document')} coded in the sample"
            return Stage(key, title, DONE, detail, "run", "Run another sample", True)
        if latest is not None and latest.status is JobStatus.FAILED:
            detail = f"The sample run failed after {latest.documents_processed} of {latest.documents_total} documents"
            return Stage(key, title, ATTENTION, detail, "run", "Run a sample", passed)
        detail = "Stopped before it finished" if latest is not None else "No sample coded yet"
        return Stage(key, title, TODO, detail, "run", "Run a sample", passed)

    def review(self, records: ProjectRecords | None) -> Stage:
        title, key, page, button = "Sample reviewed", StageKey.REVIEW, "results", "Review the sample"
        totals: dict[str, int] = {}
        checked: dict[str, int] = {}
        for variable, values in (records.values if records is not None else {}).items():
            totals[variable] = len(values)
            checked[variable] = sum(1 for value in values.values() if _checked(records, value))
        total, reviewed = sum(totals.values()), sum(checked.values())
        if not total:
            detail = "Nothing to review until a sample is coded"
            return Stage(key, title, TODO, detail, page, button, self._went_on)
        detail = f"{reviewed:,} of {total:,} sampled values reviewed"
        short = [name for name, n in totals.items() if checked[name] < min(MIN_UNITS, n)]
        if not short:
            return Stage(key, title, DONE, detail, page, button, True)
        if reviewed:
            fewer = "1 variable has" if len(short) == 1 else f"{len(short)} variables have"
            detail += f"; {fewer} fewer than {MIN_UNITS} reviewed"
        return Stage(key, title, TODO, detail, page, button, self._went_on)

    def agreement(self, report: AgreementReport, review: Stage) -> Stage:
        title, key = "Agreement verdict", StageKey.AGREEMENT
        verdicts = [item.verdict for item in report.variables]
        if not verdicts:
            return Stage(
                key, title, TODO, "No variables to measure", "quality", "Open Quality", self._went_on
            )
        if all(verdict is Verdict.NOT_MEASURED for verdict in verdicts):
            detail = "Not measured yet: agreement needs reviewed values"
            return Stage(key, title, TODO, detail, "quality", "Open Quality", self._went_on)
        if all(verdict in UNMEASURED for verdict in verdicts):
            detail = f"No verdict yet: a variable needs {MIN_UNITS} reviewed units"
            return Stage(key, title, TODO, detail, *self._measure(review), self._went_on)
        ready = [item.variable for item in report.variables if item.verdict is Verdict.READY]
        work = [item.variable for item in report.variables if item.verdict in WORK]
        unmeasured = [item.variable for item in report.variables if item.verdict in UNMEASURED]
        # Agreement on multi-valued variables is F1, not alpha: then the level is named, not the measure.
        sets = any(item.basis is not None and item.basis.measure == "set" for item in report.variables)
        level = f"the {report.level:.2f} reliability level" if sets else f"alpha {report.level:.2f}"
        detail = f"{len(ready)} of {len(verdicts)} variables meet {level}"
        if work:
            detail += f"; refine {listing(work)}"
        if unmeasured:
            need = "needs" if len(unmeasured) == 1 else "need"
            detail += f"; {listing(unmeasured)} {need} more reviewed units"
        if len(ready) == len(verdicts):
            return Stage(key, title, DONE, detail, "quality", "Open Quality", True)
        if work:
            return Stage(key, title, ATTENTION, detail, "quality", "Open Quality", self._went_on)
        return Stage(key, title, TODO, detail, *self._measure(review), self._went_on)

    @staticmethod
    def _measure(review: Stage) -> tuple[str, str]:
        """Where to go for a verdict that needs more reviewed units."""
        if review.done:  # every sampled value reviewed, and still too few units: a larger sample
            return "run", "Run a larger sample"
        return "quality", "Open Quality"

    def full_run(self, ready: int, coded: int, token_budget: int | None) -> Stage:
        """`ready`: the project's READY documents; `coded`: documents a sample or full run has coded."""
        title, key, button = "Full run", StageKey.FULL_RUN, "Run the full corpus"
        runs = [job for job in self._jobs if job.job_type is JobType.FULL]
        finished = [job for job in runs if job.status is JobStatus.COMPLETED]
        latest = runs[-1] if runs else None
        costs = self._costs(token_budget)
        if latest is not None and latest.status in UNFINISHED_JOB_STATUSES:
            state, action = running(latest)
            return Stage(key, title, TODO, progress(latest, state) + costs, "run", action, bool(finished))
        if finished:
            detail = f"{coded:,} of {count(ready, 'document')} coded"
            if coded < ready:  # documents imported since, or that failed in the run: a run codes the rest
                return Stage(key, title, ATTENTION, detail + costs, "run", "Code the rest", True)
            return Stage(key, title, DONE, detail + costs, "run", "Open the run", True)
        if latest is not None and latest.status is JobStatus.FAILED:
            detail = (
                f"The full run failed after {latest.documents_processed:,} of "
                f"{latest.documents_total:,} documents"
            )
            return Stage(key, title, ATTENTION, detail + costs, "run", button)
        detail = "Stopped before it finished" if latest is not None else "Not started"
        return Stage(key, title, TODO, detail + costs, "run", button)

    def export(self, last: LastExport | None) -> Stage:
        title, key, page = "Exported", StageKey.EXPORT, "export"
        if last is None:
            return Stage(key, title, TODO, "Not exported yet", page, "Export the dataset")
        detail = (
            f"Exported {when(last.at)} as {FORMAT_NAMES.get(last.format, last.format.upper())} "
            f"({count(last.rows, 'row')})"
        )
        if last.file:
            detail += f" to {last.file}"
        since = [
            job for job in self._jobs if job.job_type is not JobType.SECOND_OPINION and _after(job, last.at)
        ]
        if since:
            detail += "; runs finished since"
            return Stage(key, title, ATTENTION, detail, page, "Export again")
        if not any(job.job_type is JobType.FULL and job.status is JobStatus.COMPLETED for job in self._jobs):
            # A sample's export: the dataset of the whole corpus is still to come.
            return Stage(key, title, TODO, detail + ", before the full run", page, "Export the dataset")
        return Stage(key, title, DONE, detail, page, "Export again", True)

    def _costs(self, token_budget: int | None) -> str:
        text = ""
        if self.spent > 0:
            text += f" · {money(self.spent)} spent so far"
        elif self.tokens:
            text += f" · {self.tokens:,} tokens used so far"
        if token_budget is not None:
            text += f" · budget {token_budget:,} tokens per run"
        return text


def _checked(records: ProjectRecords | None, value: AIValue) -> bool:
    """A sampled value a researcher has checked: reviewed, or its unit coded blind by someone."""
    if records is None:
        return False
    if value.extraction_id in records.reviews:
        return True
    return any(value.unit in codings.get(value.variable, {}) for codings in records.codings.values())


def _after(job: JobSummary, moment: datetime) -> bool:
    return job.status is JobStatus.COMPLETED and job.finished_at is not None and job.finished_at > moment


def running(job: JobSummary) -> tuple[str, str]:
    """What an unfinished job is doing, and what its button says."""
    if job.status is JobStatus.RUNNING and (job.heartbeat_at is None or job.heartbeat_at >= stale_before()):
        return "Running", "Open the run"
    if job.status is JobStatus.PENDING:
        return "Waiting", "Open the run"
    return ("Paused" if job.status is JobStatus.PAUSED else "Interrupted"), "Resume the run"


def progress(job: JobSummary, state: str) -> str:
    done = job.documents_processed + job.documents_failed
    if state in ("Running", "Waiting"):
        return f"{state}: {done:,} of {job.documents_total:,} documents coded"
    return f"{state} at {done:,} of {job.documents_total:,} documents"


def when(moment: datetime) -> str:
    """'5 Dec 14:03' (with the year when it is not this one), in local time."""
    local = moment.astimezone()
    year = "" if local.year == datetime.now().astimezone().year else f" {local.year}"
    return f"{local.day} {local:%b}{year} {local:%H:%M}"


def listing(names: list[str]) -> str:
    shown = names[:3] + ([f"{len(names) - 3} more"] if len(names) > 3 else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
