"""A small dataset with what exports must survive: every type, a multi-value variable, a correction, a flag,
low confidence, text that looks like a formula, control characters, non-Latin text and a long name."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from coderai_desktop.domain.codebook import Codebook, ProjectContext
from coderai_desktop.domain.enums import (
    ExtractionStatus,
    FeedbackType,
    JobStatus,
    JobType,
    MatchStatus,
    UnitOfObservation,
)
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.export.model import (
    CodedValue,
    CorpusSummary,
    Dataset,
    DocumentDetails,
    ExportOptions,
    PromptInfo,
    Unit,
    VariableInfo,
    VariableQuality,
)
from tests.unit.codebook_data import category_variable, variable

LONG_NAME = "share_of_renewable_electricity_in_the_national_mix_by_2030"  # 58 characters
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)

CODEBOOK = Codebook.model_validate(
    {
        "variables": [
            variable("title", display_name="Title of the plan"),
            variable("adopted", "boolean", display_name="Adopted by parliament"),
            category_variable(
                "level",
                values=("national", "regional"),
                display_name="Level of government",
                if_multiple_values="all",
                max_values=2,
            ),
            variable("target_year", "date"),
            variable(LONG_NAME, "number", display_name="Renewable share 2030 (%)"),
        ]
    }
)


def coded(value: Any, confidence: float | None = 0.9, **fields: Any) -> CodedValue:
    base = CodedValue(
        value=value,
        ai_value=value,
        confidence=confidence,
        evidence=f"quote for {value}" if value is not None else None,
        page=1,
        status=ExtractionStatus.EXTRACTED,
        match_status=MatchStatus.EXACT,
        prompt_version=2,
        job_id=1,
    )
    return replace(base, **fields)


def units() -> list[Unit]:
    return [
        Unit(
            1,
            "plan_a.pdf",
            None,
            None,
            {
                "title": coded('=HYPERLINK("http://evil")'),
                "adopted": coded(True),
                "level": coded(["national", "regional"]),
                "target_year": coded("2030-12-31"),
                LONG_NAME: coded(42.5),
            },
        ),
        Unit(
            2,
            "plan_b.docx",
            None,
            None,
            {
                "title": coded("Plan\x00 with\x0b control\x1f characters — Ünïcödé, 中文"),
                "adopted": coded(False, 0.3),  # low confidence
                "level": coded(["regional"], status=ExtractionStatus.FLAGGED),
                "target_year": coded("2040"),  # a partial date
                LONG_NAME: coded(
                    -3.0, ai_value=3.0, feedback=FeedbackType.INCORRECT
                ),  # corrected by a researcher
            },
        ),
        Unit(
            3,
            "@plan_c.txt",
            None,
            None,
            {
                "title": coded(None, None, status=ExtractionStatus.FAILED, evidence=None),
                "adopted": coded(None, 0.5, feedback=FeedbackType.CORRECT),
            },
        ),
    ]


def quality(units_coded: int = 3) -> VariableQuality:
    return VariableQuality(
        units=units_coded, values=2, flagged=1, mean_confidence=0.7, reviewed=1, judged_correct=1
    )


def dataset(options: ExportOptions | None = None, sample_units: list[Unit] | None = None) -> Dataset:
    prompt = PromptInfo("group:all", 2, "gpt-4o-mini", 0.0, "You code plans.", "{document}", AT)
    return Dataset(
        project=ProjectContext(name="Climate plans", description="National climate plans", domain="policy"),
        variables=[VariableInfo(spec, prompt, quality()) for spec in CODEBOOK.variables],
        units=units() if sample_units is None else sample_units,
        documents={
            1: DocumentDetails(12, 3400, {"country": "Norway", "year": 2021}),
            2: DocumentDetails(3, 800, {"country": "=cmd|' /C calc'!A0"}),
            3: DocumentDetails(None, 20, {}),
        },
        runs=[
            JobSummary(
                id=1,
                project_id=1,
                job_type=JobType.SAMPLE,
                status=JobStatus.COMPLETED,
                documents_total=3,
                documents_processed=3,
                documents_failed=0,
                consecutive_failures=0,
                tokens_in=12_000,
                tokens_out=900,
                cost=0.0123,
                pause_reason=None,
                error_message=None,
                created_at=AT,
                started_at=AT,
                finished_at=AT,
                heartbeat_at=None,
                mode="GROUPED",
                model="gpt-4o-mini",
            )
        ],
        corpus=CorpusSummary(
            documents=4, ready=3, failed_imports={"encrypted": 1}, coded=3, failed_coding={}
        ),
        options=options or ExportOptions(),
        exported_at=AT,
    )


def entity_dataset() -> Dataset:
    entities = [
        Unit(1, "plan_a.pdf", 0, "Ministry of Energy", {"title": coded("Energy plan")}),
        Unit(1, "plan_a.pdf", 1, "Ministry of Transport", {"title": coded("Transport plan")}),
    ]
    base = dataset(sample_units=entities)
    project = base.project.model_copy(update={"unit_of_observation": UnitOfObservation.ENTITY})
    return replace(base, project=project)
