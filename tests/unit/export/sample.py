"""A small dataset with what exports must survive: every type, a multi-value variable, a correction with its
review history, a flag, low confidence, text that looks like a formula, control characters, non-Latin text
and a long name; and an agreement report for it, made by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from coderai_desktop.domain.agreement import (
    AgreementReport,
    Band,
    Calibration,
    Comparison,
    ComparisonKind,
    Interval,
    VariableAgreement,
    Verdict,
)
from coderai_desktop.domain.codebook import Codebook, ProjectContext
from coderai_desktop.domain.dataset import Cell, ReviewStep, UnitRow, UnitValues
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
    CorpusSummary,
    Dataset,
    DocumentDetails,
    ExportOptions,
    PromptInfo,
    VariableInfo,
    VariableQuality,
)
from tests.unit.codebook_data import category_variable, variable

LONG_NAME = "share_of_renewable_electricity_in_the_national_mix_by_2030"  # 58 characters
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
# The history of the corrected value: ana corrects it, ben marks it correct, ben undoes that.
HISTORY = (
    ReviewStep(AT + timedelta(minutes=1), "ana", FeedbackType.INCORRECT, -3.0, "the sign; see p. 2", False),
    ReviewStep(AT + timedelta(minutes=2), "ben", FeedbackType.CORRECT, None, None, False),
    ReviewStep(AT + timedelta(minutes=3), "ben", FeedbackType.INCORRECT, -3.0, None, True),
)

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


def coded(value: Any, confidence: float | None = 0.9, **fields: Any) -> Cell:
    base = Cell(
        extraction_id=1,
        value=value,
        ai_value=value,
        confidence=confidence,
        evidence=f"quote for {value}" if value is not None else None,
        page=1,
        char_start=None,
        char_end=None,
        status=ExtractionStatus.EXTRACTED,
        match_status=MatchStatus.EXACT,
        note=None,
        threshold=0.7,
        prompt_id=None,
        prompt_version=2,
        model="gpt-4o-mini",
        job_id=1,
    )
    return replace(base, **fields)


def unit_of(
    document_id: int,
    document: str,
    entity_index: int | None,
    entity_text: str | None,
    values: dict[str, Cell],
) -> UnitValues:
    return UnitValues(UnitRow(document_id, document, entity_index, entity_text), values)


def units() -> list[UnitValues]:
    return [
        unit_of(
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
        unit_of(
            2,
            "plan_b.docx",
            None,
            None,
            {
                "title": coded("Plan\x00 with\x0b control\x1f characters — Ünïcödé, 中文"),
                "adopted": coded(False, 0.3),  # low confidence
                "level": coded(["regional"], status=ExtractionStatus.FLAGGED),
                "target_year": coded("2040"),  # a partial date
                LONG_NAME: coded(  # corrected by a researcher, after a review undone
                    -3.0,
                    ai_value=3.0,
                    feedback=FeedbackType.INCORRECT,
                    reviewed_by="ana",
                    reviewed_at=HISTORY[0].at,
                    history=HISTORY,
                ),
            },
        ),
        unit_of(
            3,
            "@plan_c.txt",
            None,
            None,
            {
                "title": coded(None, None, status=ExtractionStatus.FAILED, evidence=None),
                "adopted": coded(
                    None,
                    0.5,
                    feedback=FeedbackType.CORRECT,
                    reviewed_by="ana",
                    reviewed_at=AT,
                    history=(ReviewStep(AT, "ana", FeedbackType.CORRECT, None, None, False),),
                ),
            },
        ),
    ]


def quality(units_coded: int = 3) -> VariableQuality:
    return VariableQuality(units=units_coded, values=2, flagged=1, mean_confidence=0.7, reviewed=1)


def agreement() -> AgreementReport:
    """A report as the review service would give it: title ready on its review, adopted tentative on a
    blind coding (with a review and two researchers besides), level (several values) ready on F1,
    target_year too few units, and the long-named variable not measured."""
    title = Comparison(
        ComparisonKind.REVIEW, "AI", "review", "nominal", n=12, missing=0, not_applicable=0,
        percent=11 / 12, normalised=1.0, kappa=None, alpha=0.8312, alpha_ci=Interval(0.64, 0.96), ac1=0.9,
    )  # fmt: skip
    adopted_blind = Comparison(
        ComparisonKind.BLIND, "AI", "bea", "nominal", n=15, missing=1, not_applicable=0, percent=13 / 15,
        kappa=0.7101, kappa_ci=Interval(0.48, 0.9), alpha=0.7243, alpha_ci=Interval(0.5, 0.9), ac1=0.75,
    )  # fmt: skip
    adopted_review = Comparison(
        ComparisonKind.REVIEW, "AI", "review", "nominal", n=4, missing=0, not_applicable=0, percent=1.0,
        kappa=1.0, alpha=1.0, ac1=1.0,
    )  # fmt: skip
    humans = Comparison(
        ComparisonKind.HUMANS, "ana", "bea", "nominal", n=15, missing=0, not_applicable=2, percent=14 / 15,
        kappa=0.86, alpha=0.87, alpha_ci=Interval(0.7, 1.0), ac1=0.88,
    )  # fmt: skip
    level = Comparison(
        ComparisonKind.REVIEW, "AI", "review", "set", n=11, missing=0, not_applicable=0, percent=10 / 11,
        precision=0.95, recall=0.9, f1=0.9231, f1_ci=Interval(0.8, 0.97),
    )  # fmt: skip
    target_year = Comparison(
        ComparisonKind.REVIEW, "AI", "review", "interval", n=3, missing=0, not_applicable=0, percent=2 / 3,
        alpha=0.5,
    )  # fmt: skip
    calibration = Calibration(
        n=12, accuracy=11 / 12, bands=(Band(0.8, 1.0, 12, 11 / 12, 0.9),), ece=0.0417, target=0.95,
        threshold=0.873, accepted_accuracy=1.0, flagged_share=0.25, current_threshold=0.7,
        current_flagged_share=0.1, reason=None,
    )  # fmt: skip
    return AgreementReport(
        0.8,
        0.95,
        (
            VariableAgreement("title", (title,), title, Verdict.READY, calibration),
            VariableAgreement(
                "adopted", (adopted_review, adopted_blind, humans), adopted_blind, Verdict.TENTATIVE, None
            ),
            VariableAgreement("level", (level,), level, Verdict.READY, None),
            VariableAgreement("target_year", (target_year,), target_year, Verdict.TOO_FEW, None),
            VariableAgreement(LONG_NAME, (), None, Verdict.NOT_MEASURED, None),
        ),
    )


def dataset(
    options: ExportOptions | None = None,
    sample_units: list[UnitValues] | None = None,
    agreement: AgreementReport | None = None,
) -> Dataset:
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
        agreement=agreement,
    )


def entity_dataset() -> Dataset:
    entities = [
        unit_of(1, "plan_a.pdf", 0, "Ministry of Energy", {"title": coded("Energy plan")}),
        unit_of(1, "plan_a.pdf", 1, "Ministry of Transport", {"title": coded("Transport plan")}),
    ]
    base = dataset(sample_units=entities)
    project = base.project.model_copy(update={"unit_of_observation": UnitOfObservation.ENTITY})
    return replace(base, project=project)
