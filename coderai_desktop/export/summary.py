"""The codebook, quality, corpus and run information of an export as rows of words and numbers. The
spreadsheet sheets, the JSON file and the codebook documents all present these same rows."""

from __future__ import annotations

from typing import Any

from coderai_desktop import __version__
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
QUALITY_COLUMNS = [
    "variable",
    "units coded",
    "coverage",
    "null",
    "flagged",
    "mean confidence",
    "reviewed",
    "agreement with review",
]
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
    "cost",
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
    """Per variable, over the exported values; shares are fractions (0-1), None where undefined."""
    return [
        {
            "variable": info.spec.name,
            "units coded": info.quality.units,
            "coverage": info.quality.coverage,
            "null": info.quality.null_share,
            "flagged": info.quality.flagged_share,
            "mean confidence": info.quality.mean_confidence,
            "reviewed": info.quality.reviewed,
            "agreement with review": info.quality.agreement,
        }
        for info in dataset.variables
    ]


def run_rows(dataset: Dataset) -> list[dict[str, Any]]:
    return [
        {
            "run": job.id,
            "type": job.job_type.lower(),
            "status": job.status.lower(),
            "model": job.model,
            "started": local_time(job.started_at) if job.started_at else "",
            "finished": local_time(job.finished_at) if job.finished_at else "",
            "documents": job.documents_processed,
            "failed": job.documents_failed,
            "tokens": job.tokens_in + job.tokens_out,
            "cost": money(job.cost),
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
    return [(key, value) for key, value in rows if value]


def percent(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


def _words(value: Any) -> str:
    """A rule's value as a person writes it: lists without brackets and quotes."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
