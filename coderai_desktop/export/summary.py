"""The codebook, quality, corpus and run information of an export as rows of words and numbers. The
spreadsheet sheets, the JSON file and the codebook documents all present these same rows."""

from __future__ import annotations

import math
from typing import Any

from coderai_desktop import __version__
from coderai_desktop.domain.agreement import (
    AgreementReport,
    Calibration,
    Comparison,
    Interval,
    VariableAgreement,
)
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.export.model import Dataset, VariableInfo
from coderai_desktop.formatting import local_time, money

CODEBOOK_COLUMNS = [
    "name",
    "label",
    "type",
    "instructions",
    "categories",
    "rules",
    "policies",
    "prompt",
]
# Over the exported values.
COVERAGE_COLUMNS = ["variable", "units coded", "coverage", "null", "flagged", "mean confidence", "reviewed"]
# From the review service, over the project's reviewed and blind-coded units: the comparison the verdict
# rests on (e.g. "AI vs review"), its units, the share of them with the same value, its reliability figure
# and which one it is ("alpha (nominal)", "F1 (set)"), the figure's 95% interval, Cohen's kappa (categories),
# the verdict at the project's reliability level, and the calibration of the model's confidence.
AGREEMENT_COLUMNS = [
    "variable",
    "comparison",
    "compared",
    "agreement",
    "measure",
    "reliability",
    "95% interval",
    "kappa",
    "verdict",
    "calibration error",
    "suggested threshold",
]
QUALITY_COLUMNS = COVERAGE_COLUMNS + AGREEMENT_COLUMNS[1:]
RUN_COLUMNS = [
    "run",
    "type",
    "status",
    "model",
    "started",
    "finished",
    "documents",
    "failed",
    "tokens",
    "cached tokens",
    "cost",
    "cost by model",
]


def codebook_rows(dataset: Dataset) -> list[dict[str, str]]:
    return [
        {
            "name": info.spec.name,
            "label": info.spec.label,
            "type": info.spec.type.value,
            "instructions": info.spec.instructions,
            "categories": categories_text(info.spec),
            "rules": info.spec.classification_rules or "",
            "policies": policies_text(info.spec),
            "prompt": prompt_line(info),
        }
        for info in dataset.variables
    ]


def categories_text(spec: VariableSpec) -> str:
    lines = []
    for category in spec.categories:
        label = f" ({category.label})" if category.label and category.label != category.value else ""
        definition = f": {category.definition}" if category.definition else ""
        lines.append(f"{category.value}{label}{definition}")
    return "\n".join(lines)


def policies_text(spec: VariableSpec) -> str:
    parts = [
        f"confidence threshold {spec.confidence_threshold:g}",
        f"if uncertain: {spec.if_uncertain.lower()}",
        f"if several values: {spec.if_multiple_values.lower()}"
        + (f" (at most {spec.max_values})" if spec.max_values else ""),
    ]
    if spec.default_value is not None:
        parts.append(f"default: {_words(spec.default_value)}")
    if spec.validation_rules is not None:
        rules = spec.validation_rules.model_dump(exclude_none=True)
        parts.append("validation: " + ", ".join(f"{key} {_words(value)}" for key, value in rules.items()))
    if spec.depends_on is not None:
        dependency = spec.depends_on
        value = "" if dependency.value is None else f" {_words(dependency.value)}"
        parts.append(f"coded only if {dependency.variable} {dependency.operator.lower()}{value}")
    return "; ".join(parts)


def prompt_line(info: VariableInfo) -> str:
    if info.prompt is None:
        return "no prompt yet"
    prompt = info.prompt
    return f"{prompt.scope} version {prompt.version}, {prompt.model}, temperature {prompt.temperature:g}"


def quality_rows(dataset: Dataset) -> list[dict[str, Any]]:
    """Per variable: QUALITY_COLUMNS. Shares are fractions (0-1); None where undefined or not measured."""
    report = dataset.agreement
    return [
        {
            "variable": info.spec.name,
            "units coded": info.quality.units,
            "coverage": info.quality.coverage,
            "null": info.quality.null_share,
            "flagged": info.quality.flagged_share,
            "mean confidence": info.quality.mean_confidence,
            "reviewed": info.quality.reviewed,
            **_agreement_cells(None if report is None else report.get(info.spec.name)),
        }
        for info in dataset.variables
    ]


def _agreement_cells(item: VariableAgreement | None) -> dict[str, Any]:
    basis = None if item is None else item.basis
    calibration = None if item is None else item.calibration
    reliability = None if basis is None else basis.reliability
    interval = None if basis is None else basis.reliability_ci
    return {
        "comparison": None if basis is None else basis.label,
        "compared": None if basis is None else basis.n,
        "agreement": None if basis is None else basis.percent,
        "measure": None if basis is None or reliability is None else measure_name(basis),
        "reliability": reliability,
        "95% interval": None if interval is None else str(interval),
        "kappa": None if basis is None else basis.kappa,
        "verdict": None if item is None else item.verdict.value,
        "calibration error": None if calibration is None else calibration.ece,
        "suggested threshold": None if calibration is None else calibration.threshold,
    }


def measure_name(comparison: Comparison) -> str:
    """Which reliability figure a comparison gives, at which level: "alpha (nominal)", "F1 (set)"."""
    return f"{comparison.reliability_name} ({comparison.measure})"


def agreement_document(report: AgreementReport | None) -> dict[str, Any] | None:
    """The whole agreement report as plain JSON values: per variable its verdict, the sentence that
    explains it, every comparison and the calibration; and the summary sentence."""
    if report is None:
        return None
    return {
        "reliability_level": report.level,
        "target_accuracy": report.target_accuracy,
        "summary": report.summary(),
        "variables": [
            {
                "variable": item.variable,
                "verdict": item.verdict.value,
                "sentence": item.sentence(report.level),
                "basis": None if item.basis is None else item.basis.label,
                "comparisons": [_comparison(comparison) for comparison in item.comparisons],
                "calibration": _calibration(item.calibration),
            }
            for item in report.variables
        ],
    }


def _comparison(comparison: Comparison) -> dict[str, Any]:
    return {
        "comparison": comparison.label,
        "kind": comparison.kind.value,
        "first": comparison.first,
        "second": comparison.second,
        "measure": comparison.measure,
        "units": comparison.n,
        "missing": comparison.missing,
        "not_applicable": comparison.not_applicable,
        "agreement": _number(comparison.percent),
        "normalised_agreement": _number(comparison.normalised),
        "kappa": _number(comparison.kappa),
        "kappa_ci": _interval(comparison.kappa_ci),
        "alpha": _number(comparison.alpha),
        "alpha_ci": _interval(comparison.alpha_ci),
        "ac1": _number(comparison.ac1),
        "precision": _number(comparison.precision),
        "recall": _number(comparison.recall),
        "f1": _number(comparison.f1),
        "f1_ci": _interval(comparison.f1_ci),
        "reliability": _number(comparison.reliability),
        "reliability_measure": comparison.reliability_name,
    }


def _calibration(calibration: Calibration | None) -> dict[str, Any] | None:
    if calibration is None:
        return None
    return {
        "units": calibration.n,
        "accuracy": _number(calibration.accuracy),
        "calibration_error": _number(calibration.ece),
        "target_accuracy": calibration.target,
        "suggested_threshold": _number(calibration.threshold),
        "accepted_accuracy": _number(calibration.accepted_accuracy),
        "flagged_share": _number(calibration.flagged_share),
        "current_threshold": _number(calibration.current_threshold),
        "current_flagged_share": _number(calibration.current_flagged_share),
        "reason": calibration.reason,
        "summary": calibration.summary(),
        "bands": [
            {
                "low": band.low,
                "high": band.high,
                "units": band.n,
                "accuracy": _number(band.accuracy),
                "mean_confidence": _number(band.mean_confidence),
            }
            for band in calibration.bands
        ],
    }


def _interval(interval: Interval | None) -> list[float | None] | None:
    return None if interval is None else [_number(interval.low), _number(interval.high)]


def _number(value: float | None) -> float | None:
    """A figure as JSON can hold it: NaN and infinity (which no JSON reader accepts) as null."""
    return None if value is None or not math.isfinite(value) else float(value)


def _by_model(models: dict[str, dict[str, float]]) -> str:
    """'gpt-4o-mini: 120,400 tokens, $0.0210; gpt-4o: 8,200 tokens, $0.0410' when several models coded."""
    if len(models) < 2:
        return ""
    return "; ".join(
        f"{model}: {int(totals['tokens_in'] + totals['tokens_out']):,} tokens, {money(totals['cost'])}"
        for model, totals in sorted(models.items())
    )


def run_rows(dataset: Dataset) -> list[dict[str, Any]]:
    return [
        {
            "run": job.id,
            "type": job.job_type.lower() + (" (batch)" if job.batch else ""),
            "status": job.status.lower(),
            "model": job.model,
            "started": local_time(job.started_at) if job.started_at else "",
            "finished": local_time(job.finished_at) if job.finished_at else "",
            "documents": job.documents_processed,
            "failed": job.documents_failed,
            "tokens": job.tokens_in + job.tokens_out,
            "cached tokens": job.tokens_cached,  # prompt tokens billed at the cached price
            "cost": money(job.cost),
            "cost by model": _by_model(job.models),
        }
        for job in dataset.runs
    ]


def about_rows(dataset: Dataset) -> list[tuple[str, str]]:
    """What the export is: project, when, which values, and the corpus behind it."""
    project, corpus = dataset.project, dataset.corpus
    rows = [
        ("Project", project.name),
        ("Description", project.description),
        ("Domain", project.domain),
        ("Language", project.language),
        ("Unit of observation", project.unit_of_observation.lower()),
        ("Exported", dataset.exported_at.astimezone().isoformat(sep=" ", timespec="minutes")),
        ("Exported with", f"CoderAI Desktop {__version__}"),
        ("Values", "; ".join(dataset.options.filters())),
        ("Units in the data", str(len(dataset.units))),
        ("Documents imported", str(corpus.documents)),
        ("Documents ready to code", str(corpus.ready)),
        ("Documents coded", str(corpus.coded)),
    ]
    rows += [(f"Not imported: {why}", str(n)) for why, n in corpus.failed_imports.items()]
    rows += [(f"Not coded: {why}", str(n)) for why, n in corpus.failed_coding.items()]
    if dataset.agreement is not None:
        rows += [
            ("Reliability level", f"{dataset.agreement.level:g}"),
            ("Target accuracy", f"{dataset.agreement.target_accuracy:g}"),
            ("Agreement", dataset.agreement.summary()),
        ]
    return [(key, value) for key, value in rows if value]


def percent(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


def _words(value: Any) -> str:
    """A rule's value as a person writes it: lists without brackets and quotes."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
