"""The codebook document: what another lab needs to reproduce the dataset. Every variable with its
instructions, categories, rules and policies, the columns that hold it, how good its values are, and the
prompt that produced them, verbatim. The content is built once as blocks and rendered as Markdown or Word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coderai_desktop.export.model import Dataset, PromptInfo, VariableInfo
from coderai_desktop.export.summary import (
    QUALITY_COLUMNS,
    RUN_COLUMNS,
    about_rows,
    percent,
    policies_text,
    prompt_line,
    quality_rows,
    run_rows,
)
from coderai_desktop.export.tables import wide_layout
from coderai_desktop.export.writers.codebook_render import (
    Block,
    Heading,
    Paragraph,
    Preformatted,
    TextTable,
    markdown,
    write_docx,
)
from coderai_desktop.formatting import local_time

SHARES = {"coverage", "null", "flagged", "agreement with review"}  # quality columns that are fractions
NOT_REVIEWED = "not reviewed yet"
CATEGORY_COLUMNS = ("value", "label", "definition", "examples")
INTRODUCTION = (
    "This codebook describes every variable of the dataset: what the model was asked to find, the "
    "categories and rules it followed, the columns that hold the values, how good the values are, and "
    "the prompt that produced them, word for word, so that the coding can be reproduced."
)


def write_codebook_markdown(dataset: Dataset, path: Path) -> None:
    # "\n" everywhere, whatever the platform: the same export gives the same file.
    path.write_text(codebook_markdown(dataset), encoding="utf-8", newline="\n")


def write_codebook_docx(dataset: Dataset, path: Path) -> None:
    write_docx(codebook_blocks(dataset), path)


def codebook_markdown(dataset: Dataset) -> str:
    return markdown(codebook_blocks(dataset))


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
    quality = {row["variable"]: _quality_cells(row) for row in quality_rows(dataset)}
    # A group's prompt serves several variables: written out once, then referred to.
    first_with: dict[tuple[str, int], str] = {}
    for info in dataset.variables:
        blocks += _variable(info, columns[info.spec.name], quality[info.spec.name], first_with)
    return blocks


def _variable(
    info: VariableInfo,
    columns: list[tuple[str, str]],
    quality: list[str],
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
        _table(("measure", "value"), list(zip(QUALITY_COLUMNS[1:], quality[1:], strict=True))),
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


def _quality(dataset: Dataset) -> list[Block]:
    blocks: list[Block] = [Heading(1, "Quality")]
    rows = [_quality_cells(row) for row in quality_rows(dataset)]
    if not rows:
        return [*blocks, Paragraph("No variables, so nothing to measure.")]
    note = (
        "Coverage, null and flagged are shares of the units coded for each variable; agreement with "
        "review is the share of the values a researcher checked that were judged correct."
    )
    return [*blocks, Paragraph(note), _table(tuple(QUALITY_COLUMNS), rows)]


def _quality_cells(row: dict[str, Any]) -> list[str]:
    cells = []
    for column in QUALITY_COLUMNS:
        value = row[column]
        if column == "agreement with review" and value is None:
            cells.append(NOT_REVIEWED)
        elif column in SHARES:
            cells.append(percent(value))
        elif column == "mean confidence":
            cells.append("" if value is None else f"{value:.2f}")
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
