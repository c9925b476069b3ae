"""The codebook document: what another lab needs to reproduce the dataset. Every variable with its
instructions, categories, rules and policies, the columns that hold it, how good its values are (coverage,
and agreement between the AI and the researchers with its verdict and calibration), the prompt that
produced them, verbatim, and how that prompt was refined. When the export carries the quality report, the
Quality page's charts too: agreement per variable, and per variable its values, calibration and confusion
matrix. The content is built once as blocks and rendered as Markdown or Word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coderai_desktop.domain.agreement import (
    MIN_UNITS,
    TENTATIVE_FLOOR,
    AgreementReport,
    Comparison,
    Interval,
    VariableAgreement,
    number_text,
    percent_text,
)
from coderai_desktop.domain.quality import QualityReport
from coderai_desktop.export.model import Dataset, PromptInfo, VariableInfo
from coderai_desktop.export.summary import (
    AGREEMENT_COLUMNS,
    COVERAGE_COLUMNS,
    RUN_COLUMNS,
    about_rows,
    percent,
    policies_text,
    prompt_line,
    quality_rows,
    run_rows,
)
from coderai_desktop.export.tables import wide_layout
from coderai_desktop.export.writers import codebook_figures
from coderai_desktop.export.writers.codebook_refinements import refinement_blocks
from coderai_desktop.export.writers.codebook_render import (
    Block,
    Heading,
    Paragraph,
    Preformatted,
    TextTable,
    markdown,
    write_docx,
    write_figures,
)
from coderai_desktop.formatting import local_time

SHARES = {"coverage", "null", "flagged"}  # quality columns that are fractions
FIGURES = {"mean confidence", "reliability", "kappa", "calibration error"}  # two decimals
COMPARISON_COLUMNS = ("comparison", "units", "agreement", "kappa", "alpha", "AC1", "F1")
CATEGORY_COLUMNS = ("value", "label", "definition", "examples")
INTRODUCTION = (
    "This codebook describes every variable of the dataset: what the model was asked to find, the "
    "categories and rules it followed, the columns that hold the values, how good the values are, and "
    "the prompt that produced them, word for word, so that the coding can be reproduced."
)


def write_codebook_markdown(dataset: Dataset, path: Path, final: Path | None = None) -> None:
    """`final`: the path the document will have, when `path` is a temporary file renamed to it afterwards.
    Its figures go in a folder beside it, <stem>_figures, which the text links relatively."""
    final = final or path
    blocks = codebook_blocks(dataset)
    folder = figures_folder(final)
    write_figures(blocks, final.parent / folder)
    # "\n" everywhere, whatever the platform: the same export gives the same file.
    path.write_text(markdown(blocks, folder), encoding="utf-8", newline="\n")


def write_codebook_docx(dataset: Dataset, path: Path, final: Path | None = None) -> None:
    write_docx(codebook_blocks(dataset), path)


def codebook_markdown(dataset: Dataset, folder: str = "codebook_figures") -> str:
    return markdown(codebook_blocks(dataset), folder)


def figures_folder(document: Path) -> str:
    return f"{document.stem}_figures"


def codebook_blocks(dataset: Dataset) -> list[Block]:
    return [
        Heading(0, f"Codebook: {dataset.project.name}"),
        Paragraph(INTRODUCTION),
        *_about(dataset),
        *_variables(dataset),
        *_quality(dataset),
        *_runs(dataset),
    ]


def _about(dataset: Dataset) -> list[Block]:
    return [Heading(1, "About the export"), _table(("item", "value"), about_rows(dataset))]


def _variables(dataset: Dataset) -> list[Block]:
    blocks: list[Block] = [Heading(1, "Variables")]
    if not dataset.variables:
        return [*blocks, Paragraph("The project has no variables.")]
    columns = _value_columns(dataset)
    quality = {row["variable"]: _cells(row, COVERAGE_COLUMNS) for row in quality_rows(dataset)}
    # A group's prompt serves several variables: written out once, then referred to.
    first_with: dict[tuple[str, int], str] = {}
    for info in dataset.variables:
        name = info.spec.name
        item = None if dataset.quality is None else dataset.quality.get(name)
        values: list[Block] = [] if item is None else [codebook_figures.values_figure(item)]
        agreement = _agreement(dataset.agreement, name)
        if item is not None and agreement:
            agreement += codebook_figures.agreement_figures(item)
        blocks += _variable(info, columns[name], quality[name], values, agreement, first_with)
        blocks += refinement_blocks(dataset.refinements.get(name, ()))
    return blocks


def _variable(
    info: VariableInfo,
    columns: list[tuple[str, str]],
    quality: list[str],
    values: list[Block],
    agreement: list[Block],
    first_with: dict[tuple[str, int], str],
) -> list[Block]:
    spec = info.spec
    title = spec.name if spec.label == spec.name else f"{spec.name}: {spec.label}"
    blocks: list[Block] = [
        Heading(2, title),
        Paragraph(f"Type: {spec.type.value.lower()}"),
        Heading(3, "Instructions"),
        Paragraph(spec.instructions),
    ]
    if spec.categories:
        rows = [(c.value, c.label or "", c.definition or "", "\n".join(c.examples)) for c in spec.categories]
        blocks += [Heading(3, "Categories"), _table(CATEGORY_COLUMNS, rows)]
    if spec.classification_rules:
        blocks += [Heading(3, "Classification rules"), Paragraph(spec.classification_rules)]
    blocks += [
        Heading(3, "Policies"),
        Paragraph(policies_text(spec)),
        Heading(3, "Columns in the data file"),
        _table(("column", "holds"), columns),
        Heading(3, "Quality"),
        _table(("measure", "value"), list(zip(COVERAGE_COLUMNS[1:], quality[1:], strict=True))),
        *values,
        *agreement,
        Heading(3, "Prompt"),
        *_prompt(info, first_with),
    ]
    return blocks


def _prompt(info: VariableInfo, first_with: dict[tuple[str, int], str]) -> list[Block]:
    prompt: PromptInfo | None = info.prompt
    if prompt is None:
        return [Paragraph(prompt_line(info).capitalize() + ".")]
    summary = f"{prompt_line(info)}, created {local_time(prompt.created_at)}."
    key = (prompt.scope, prompt.version)
    if key in first_with:
        return [Paragraph(f"{summary}\nThe same prompt as {first_with[key]}, written out above.")]
    first_with[key] = info.spec.name
    return [
        Paragraph(summary),
        Paragraph("System prompt:"),
        Preformatted(prompt.system_prompt),
        Paragraph("Message template (filled in for each document):"),
        Preformatted(prompt.message_template),
    ]


def _value_columns(dataset: Dataset) -> dict[str, list[tuple[str, str]]]:
    """Per variable, the columns of the wide data file that hold it, and what each holds. Read from the
    wide table's layout, so the codebook names exactly the columns the data file has (name or name_1 ...
    name_k, and the detail columns when they are exported)."""
    layout = wide_layout(dataset)
    return {
        info.spec.name: [(name, layout.labels.get(name, "")) for name in layout.columns_of(info.spec.name)]
        for info in dataset.variables
    }


def _agreement(report: AgreementReport | None, name: str) -> list[Block]:
    """A variable's verdict in a sentence, every comparison of its values, and the calibration of the
    model's confidence (nothing when the export carries no agreement report)."""
    item = None if report is None else report.get(name)
    if report is None or item is None:
        return []
    blocks: list[Block] = [Heading(3, "Agreement"), Paragraph(item.sentence(report.level))]
    if item.comparisons:
        blocks.append(_table(_comparison_headers(item), [_comparison_cells(c) for c in item.comparisons]))
    calibration = item.calibration
    if calibration is not None:
        error = "" if calibration.ece is None else f"Calibration error {calibration.ece:.2f}. "
        blocks.append(Paragraph(error + calibration.summary()))
    return blocks


def _comparison_headers(item: VariableAgreement) -> tuple[str, ...]:
    """Alpha at the variable's level of measurement (the same for every comparison of a variable)."""
    measure = item.comparisons[0].measure
    alpha = "alpha" if measure == "set" else f"alpha ({measure})"
    return tuple(alpha if column == "alpha" else column for column in COMPARISON_COLUMNS)


def _comparison_cells(comparison: Comparison) -> tuple[str, ...]:
    return (
        comparison.label,
        str(comparison.n),
        "" if comparison.percent is None else percent_text(comparison.percent),
        _figure(comparison.kappa, comparison.kappa_ci),
        _figure(comparison.alpha, comparison.alpha_ci),
        _figure(comparison.ac1),
        _figure(comparison.f1, comparison.f1_ci),
    )


def _figure(value: float | None, interval: Interval | None = None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" + ("" if interval is None else f" {interval}")


def _quality(dataset: Dataset) -> list[Block]:
    blocks: list[Block] = [Heading(1, "Quality")]
    rows = quality_rows(dataset)
    if not rows:
        return [*blocks, Paragraph("No variables, so nothing to measure.")]
    note = (
        "Coverage, null and flagged are shares of the units coded for each variable, over the exported "
        "values; reviewed counts the exported values a researcher has checked."
    )
    blocks += [Paragraph(note), _table(tuple(COVERAGE_COLUMNS), [_cells(r, COVERAGE_COLUMNS) for r in rows])]
    report = dataset.agreement
    if report is None:
        return [*blocks, Paragraph("Agreement between the AI and the researchers was not measured.")]
    blocks += [
        Paragraph(_agreement_note(report)),
        _table(tuple(AGREEMENT_COLUMNS), [_cells(row, AGREEMENT_COLUMNS) for row in rows]),
    ]
    quality: QualityReport | None = dataset.quality
    if quality is None:
        return [*blocks, Paragraph(report.summary())]
    return [*blocks, codebook_figures.agreement_figure(report), Paragraph(quality.summary())]


def _agreement_note(report: AgreementReport) -> str:
    return (
        "Agreement compares the AI's values with the researchers' over every unit of the project they "
        "have checked, whatever this export leaves out: their blind coding where a researcher has coded "
        "enough units without seeing the AI's values, otherwise their review of the AI's values; "
        "comparison says which. Compared is the number of units, agreement the share of them where both "
        "gave the same value. Reliability is Krippendorff's alpha at the variable's level of measurement (F1 for "
        "variables with several values; AC1, then agreement, where nobody's values varied), with its 95% "
        "bootstrap interval; kappa is Cohen's, for categories. At the project's reliability level of "
        f"{report.level:g}, a variable is ready for the full corpus; between {TENTATIVE_FLOOR:g} and "
        f"{report.level:g} it supports tentative conclusions only; below, it needs work; with fewer than "
        f"{MIN_UNITS} units there is no verdict. The calibration error is the gap between the model's confidence "
        "and the accuracy of its values; below the suggested threshold a value goes to review, so that "
        f"the values accepted without it keep {percent_text(report.target_accuracy)} accuracy."
    )


def _cells(row: dict[str, Any], columns: list[str]) -> list[str]:
    cells = []
    for column in columns:
        value = row[column]
        if value is None:
            cells.append("")
        elif column in SHARES:
            cells.append(percent(value))
        elif column == "agreement":
            cells.append(percent_text(value))
        elif column in FIGURES:
            cells.append(f"{value:.2f}")
        elif column == "suggested threshold":
            cells.append(number_text(value))
        else:
            cells.append(str(value))
    return cells


def _runs(dataset: Dataset) -> list[Block]:
    blocks: list[Block] = [Heading(1, "Runs")]
    rows = run_rows(dataset)
    if not rows:
        return [*blocks, Paragraph("No runs yet.")]
    cells = [[f"{row[c]:,}" if c == "tokens" else str(row[c]) for c in RUN_COLUMNS] for row in rows]
    return [*blocks, _table(tuple(RUN_COLUMNS), cells)]


def _table(headers: tuple[str, ...], rows: list[Any]) -> TextTable:
    return TextTable(headers, tuple(tuple(str(cell) for cell in row) for row in rows))
