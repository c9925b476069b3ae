"""What an export is made of: the coded values of each unit, the codebook behind them, how good they are,
and how they were produced. Read once from the database (export/dataset.py); every table and writer
works from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from coderai_desktop.domain.agreement import AgreementReport
from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.dataset import UnitValues
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.domain.quality import QualityReport
from coderai_desktop.domain.refinement import RefinementInfo


class ExportFormat(StrEnum):
    CSV = "csv"
    CSV_LONG = "csv-long"
    XLSX = "xlsx"
    JSON = "json"
    DTA = "dta"
    SAV = "sav"

    @property
    def suffix(self) -> str:
        return ".csv" if self is ExportFormat.CSV_LONG else f".{self.value}"

    @property
    def description(self) -> str:
        return FORMAT_DESCRIPTIONS[self]


FORMAT_DESCRIPTIONS = {
    ExportFormat.CSV: "CSV, one row per unit",
    ExportFormat.CSV_LONG: "CSV, one row per value",
    ExportFormat.XLSX: "Excel workbook, with codebook, quality and run sheets",
    ExportFormat.JSON: "JSON, records with the codebook",
    ExportFormat.DTA: "Stata .dta, with variable and value labels",
    ExportFormat.SAV: "SPSS .sav, with variable and value labels",
}


class RunFilter(StrEnum):
    """Whose values: the latest run that coded each document, or only sample runs, or only full runs."""

    LATEST = "LATEST"
    SAMPLE = "SAMPLE"
    FULL = "FULL"


@dataclass(frozen=True)
class ExportOptions:
    runs: RunFilter = RunFilter.LATEST
    reviewed_only: bool = False  # only values a researcher has checked
    min_confidence: float | None = None  # values below it are left out (checked values are kept)
    exclude_flagged: bool = False  # flagged values are left out (unless a researcher checked them)
    value_details: bool = False  # per variable: confidence, evidence, page, status, prompt version, review
    document_details: bool = False  # pages, words and the import metadata (e.g. a CSV corpus's columns)
    expand_multi: bool = False  # a multi-value variable as name_1 ... name_k instead of one joined cell

    def filters(self) -> list[str]:
        """Which values, in words, for the run information of the export."""
        runs = {
            RunFilter.LATEST: "values of the latest run that coded each document",
            RunFilter.SAMPLE: "values of sample runs",
            RunFilter.FULL: "values of full runs",
        }
        words = [runs[self.runs]]
        if self.reviewed_only:
            words.append("reviewed values only")
        if self.min_confidence is not None:
            words.append(f"confidence at least {self.min_confidence:g}")
        if self.exclude_flagged:
            words.append("flagged values left out")
        return words


@dataclass(frozen=True)
class DocumentDetails:
    pages: int | None
    words: int | None
    metadata: dict[str, Any]


@dataclass(frozen=True)
class PromptInfo:
    scope: str  # "variable:<name>" or "group:<key>"
    version: int
    model: str
    temperature: float
    system_prompt: str
    message_template: str
    created_at: datetime


@dataclass(frozen=True)
class VariableQuality:
    units: int  # units coded (with a value record for this variable)
    values: int  # non-empty values
    flagged: int
    mean_confidence: float | None
    reviewed: int

    @property
    def coverage(self) -> float | None:
        return self.values / self.units if self.units else None

    @property
    def null_share(self) -> float | None:
        return 1 - self.values / self.units if self.units else None

    @property
    def flagged_share(self) -> float | None:
        return self.flagged / self.units if self.units else None


@dataclass(frozen=True)
class VariableInfo:
    spec: VariableSpec
    prompt: PromptInfo | None  # the active prompt version for the variable (its own, or its group's)
    quality: VariableQuality


@dataclass(frozen=True)
class CorpusSummary:
    documents: int  # imported
    ready: int
    failed_imports: dict[str, int]  # why -> how many
    coded: int  # documents with values in the export
    failed_coding: dict[str, int]  # why -> how many (documents a run could not code)


@dataclass(frozen=True)
class Dataset:
    project: ProjectContext
    variables: list[VariableInfo]
    units: list[UnitValues]  # in document order, each with its kept cells
    documents: dict[int, DocumentDetails]  # by document id
    runs: list[JobSummary]  # the project's runs, newest first
    corpus: CorpusSummary
    options: ExportOptions
    exported_at: datetime
    # Agreement and calibration per variable, as the review service measures them over the project's
    # reviewed and blind-coded units (None: not measured for this export).
    agreement: AgreementReport | None = None
    # For the codebook document: the review service's quality report (its figures: distributions,
    # calibration, confusion; its agreement is `agreement`) and each variable's prompt refinements, oldest
    # first. None and empty unless the export writes a codebook.
    quality: QualityReport | None = None
    refinements: dict[str, tuple[RefinementInfo, ...]] = field(default_factory=dict)

    @property
    def per_entity(self) -> bool:
        return self.project.unit_of_observation == "ENTITY"


@dataclass(frozen=True)
class Table:
    """A flat table ready to write. `marks` colours cells in spreadsheets: (row, column) -> Mark."""

    columns: list[str]
    rows: list[list[Any]]
    labels: dict[str, str] = field(default_factory=dict)  # column -> what it holds, in words
    # The value columns (name, or name_1 ... name_k), for the value labels of Stata and SPSS.
    value_columns: dict[str, VariableSpec] = field(default_factory=dict)
    marks: dict[tuple[int, int], Mark] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Mark(StrEnum):
    FLAGGED = "FLAGGED"
    LOW_CONFIDENCE = "LOW_CONFIDENCE"
    CORRECTED = "CORRECTED"
