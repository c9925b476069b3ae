"""The stages of a project's path from what was read: the cases a whole project takes long to reach (a run
whose process died, documents still importing, a verdict on alpha alone, an export older than a run) and
which stage the path waits on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from coderai_desktop.domain.agreement import (
    AgreementReport,
    Comparison,
    ComparisonKind,
    VariableAgreement,
    Verdict,
)
from coderai_desktop.domain.enums import DocumentStatus, JobStatus, JobType
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.domain.project_path import LastExport, ProjectPath, Stage, StageKey, StageState
from coderai_desktop.pipeline.path_stages import Stages, when

NOW = datetime.now(UTC)
DONE, CURRENT, TODO, ATTENTION = StageState.DONE, StageState.CURRENT, StageState.TODO, StageState.ATTENTION


def job(job_type: JobType, status: JobStatus, **fields: Any) -> JobSummary:
    values: dict[str, Any] = {
        "id": 1,
        "project_id": 1,
        "job_type": job_type,
        "status": status,
        "documents_total": 10,
        "documents_processed": 4,
        "documents_failed": 0,
        "consecutive_failures": 0,
        "tokens_in": 1000,
        "tokens_out": 200,
        "cost": 0.0,
        "pause_reason": None,
        "error_message": None,
        "created_at": NOW,
        "started_at": NOW,
        "finished_at": None,
        "heartbeat_at": datetime.now(UTC),  # a run heard from now (NOW is as old as the test session)
        "mode": "grouped",
        "model": "m",
    }
    return JobSummary(**(values | fields))


def verdict(name: str, result: Verdict, measure: str = "nominal") -> VariableAgreement:
    basis = Comparison(ComparisonKind.REVIEW, "AI", "review", measure, 12, 0, 0, alpha=0.9)
    return VariableAgreement(name, (basis,), basis, result, None)


def test_documents_being_imported_failed_or_ready() -> None:
    stages = Stages([])
    importing = stages.documents({DocumentStatus.UPLOADED: 3})
    assert (importing.state, importing.detail, importing.passed) == (
        TODO,
        "3 documents being imported",
        False,
    )
    some = stages.documents({DocumentStatus.READY: 1, DocumentStatus.PARSED: 2})
    assert (some.state, some.detail, some.passed) == (DONE, "1 document ready, 2 being imported", True)
    failed = stages.documents({DocumentStatus.FAILED: 2})
    assert (failed.state, failed.passed, failed.button) == (ATTENTION, False, "Open documents")
    assert failed.detail == "0 ready, 2 could not be read"


def test_a_run_whose_process_went_quiet_is_interrupted_and_a_pause_asks_to_resume() -> None:
    quiet = job(JobType.FULL, JobStatus.RUNNING, heartbeat_at=NOW - timedelta(hours=1))
    stage = Stages([quiet]).full_run(10, 4, None)
    assert (stage.detail, stage.button) == (
        "Interrupted at 4 of 10 documents · 1,200 tokens used so far",
        "Resume the run",
    )
    running = Stages([job(JobType.FULL, JobStatus.RUNNING, cost=3.2)]).full_run(10, 4, 50_000)
    assert (
        running.detail
        == "Running: 4 of 10 documents coded · $3.20 spent so far · budget 50,000 tokens per run"
    )
    paused = Stages([job(JobType.SAMPLE, JobStatus.PAUSED)]).sample(None)
    assert (paused.state, paused.detail, paused.button) == (
        TODO,
        "Paused at 4 of 10 documents",
        "Resume the run",
    )


def test_a_full_run_that_left_documents_uncoded_asks_to_code_the_rest() -> None:
    finished = job(JobType.FULL, JobStatus.COMPLETED, finished_at=NOW)
    stage = Stages([finished]).full_run(12, 10, None)
    assert (stage.state, stage.passed, stage.button) == (ATTENTION, True, "Code the rest")
    assert stage.detail.startswith("10 of 12 documents coded")
    assert Stages([finished]).full_run(12, 12, None).state is DONE


def test_the_verdict_names_alpha_unless_a_variable_is_measured_by_f1() -> None:
    review_done = Stage(StageKey.REVIEW, "Sample reviewed", DONE, "", "results", "Review the sample", True)
    report = AgreementReport(0.8, 0.95, (verdict("a", Verdict.READY), verdict("b", Verdict.TOO_FEW)))
    stage = Stages([]).agreement(report, review_done)
    assert stage.detail == "1 of 2 variables meet alpha 0.80; b needs more reviewed units"
    assert (stage.state, stage.page, stage.button) == (TODO, "run", "Run a larger sample")
    sets = AgreementReport(0.7, 0.95, (verdict("a", Verdict.READY, "set"), verdict("b", Verdict.NEEDS_WORK)))
    stage = Stages([]).agreement(sets, review_done)
    assert stage.detail == "1 of 2 variables meet the 0.70 reliability level; refine b"
    assert (stage.state, stage.page, stage.button) == (ATTENTION, "quality", "Open Quality")
    ready = AgreementReport(0.8, 0.95, (verdict("a", Verdict.READY),))
    assert Stages([]).agreement(ready, review_done).state is DONE


def test_an_export_older_than_a_run_asks_for_another() -> None:
    exported = LastExport(NOW - timedelta(hours=2), "xlsx", 40, "plans.xlsx")
    older = job(JobType.FULL, JobStatus.COMPLETED, finished_at=NOW - timedelta(hours=3))
    stage = Stages([older]).export(exported)
    assert (stage.state, stage.detail) == (
        DONE,
        f"Exported {when(exported.at)} as Excel (40 rows) to plans.xlsx",
    )
    newer = job(JobType.SAMPLE, JobStatus.COMPLETED, finished_at=NOW)
    assert Stages([older, newer]).export(exported).state is ATTENTION
    opinion = job(JobType.SECOND_OPINION, JobStatus.COMPLETED, finished_at=NOW)
    assert Stages([older, opinion]).export(exported).state is DONE  # a second opinion is not the dataset
    sample = job(JobType.SAMPLE, JobStatus.COMPLETED, finished_at=NOW - timedelta(hours=3))
    early = Stages([sample]).export(exported)
    assert (early.state, early.passed, early.button) == (TODO, False, "Export the dataset")
    assert early.detail.endswith("to plans.xlsx, before the full run")


def test_the_path_waits_on_its_first_stage_not_passed() -> None:
    def stage(key: StageKey, state: StageState, passed: bool) -> Stage:
        return Stage(key, key.value, state, "", "page", "Go", passed)

    path = ProjectPath.of(
        1,
        [
            stage(StageKey.DOCUMENTS, ATTENTION, True),
            stage(StageKey.CODEBOOK, TODO, False),
            stage(StageKey.SAMPLE, TODO, False),
        ],
    )
    assert [item.state for item in path.stages] == [ATTENTION, CURRENT, TODO]
    assert path.next is not None and path.next.key is StageKey.CODEBOOK
    waiting_on_attention = ProjectPath.of(1, [stage(StageKey.AGREEMENT, ATTENTION, False)])
    assert waiting_on_attention.stages[0].state is ATTENTION and waiting_on_attention.next is not None
    assert ProjectPath.of(1, [stage(StageKey.EXPORT, DONE, True)]).next is None


def test_a_recorded_export_is_read_back_and_a_broken_one_ignored() -> None:
    exported = LastExport(NOW, "csv", 3, "a.csv")
    assert LastExport.from_json(exported.as_json()) == exported
    naive = LastExport.from_json({"at": "2024-12-05T14:03:00", "format": "csv", "rows": 3})
    assert naive is not None and naive.at.tzinfo is UTC and naive.file == ""
    for broken in (None, [], {"at": "yesterday", "format": "csv", "rows": 1}, {"format": "csv"}):
        assert LastExport.from_json(broken) is None  # type: ignore[arg-type]
