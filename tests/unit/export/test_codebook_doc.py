"""The codebook document, as Markdown and as Word: the same content, text that cannot break either format,
and the prompts word for word."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.export.model import Dataset, ExportOptions, PromptInfo, VariableInfo, VariableQuality
from coderai_desktop.export.writers.codebook_doc import (
    codebook_markdown,
    write_codebook_docx,
    write_codebook_markdown,
)
from tests.unit.export import sample

SYSTEM_PROMPT = 'You code plans.\n  Answer in JSON, e.g.:\n````json\n{"a": 1}\n```\n\tTabbed | piped *line*'
TEMPLATE = "Document:\n{document}\n\nContext: {project}"
NASTY_PROMPT = PromptInfo("variable:sector", 7, "gpt-4o", 0.25, SYSTEM_PROMPT, TEMPLATE, sample.AT)
SECTOR = {
    "name": "sector",
    "display_name": "Sector *of* the [plan]",
    "type": "category",
    "instructions": "Code the sector.\n- energy first\n1. then transport\n\nSecond paragraph.",
    "categories": [
        {
            "value": "energy",
            "label": "Energy | power",
            "definition": "Electricity\nand heat",
            "examples": ["wind farms", "grid | lines"],
        },
        {"value": "transport"},
    ],
    "classification_rules": "Pick the main sector.\nIgnore annexes.",
    "depends_on": {"variable": "adopted", "operator": "equals", "value": True},
}
UNREVIEWED = VariableQuality(units=2, values=1, flagged=0, mean_confidence=None, reviewed=0)


def with_sector(base: Dataset | None = None, **project: Any) -> Dataset:
    """The sample, plus a category variable with text that Markdown and Word must both survive."""
    base = base or sample.dataset()
    sector = VariableInfo(VariableSpec.model_validate(SECTOR), NASTY_PROMPT, UNREVIEWED)
    return replace(base, variables=[*base.variables, sector], project=base.project.model_copy(update=project))


def empty_dataset() -> Dataset:
    return replace(sample.dataset(sample_units=[]), variables=[], runs=[])


def table_cells(line: str) -> list[str]:
    """The cells of a Markdown table row, split at the pipes that are not escaped."""
    assert line.startswith("| ") and line.endswith(" |"), line
    return re.split(r"(?<!\\)(?:\\\\)*\|", line[1:-1])


def table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


# Markdown


def test_markdown_has_the_sections_in_order(tmp_path: Path) -> None:
    path = tmp_path / "codebook.md"
    write_codebook_markdown(sample.dataset(), path)
    text = path.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    expected = [
        "# Codebook: Climate plans",
        "## About the export",
        "## Variables",
        "### title: Title of the plan",
        "### adopted: Adopted by parliament",
        "### level: Level of government",
        "### target_year",
        "## Quality",
        "## Runs",
    ]
    positions = [headings.index(heading) for heading in expected]
    assert positions == sorted(positions)
    for subsection in (
        "#### Instructions",
        "#### Categories",
        "#### Policies",
        "#### Quality",
        "#### Prompt",
    ):
        assert subsection in headings
    assert "| Not imported: encrypted | 1 |" in text
    assert "| 1 | sample | completed | gpt-4o-mini |" in text and "12,900" in text


def test_every_markdown_table_row_has_as_many_cells_as_its_header() -> None:
    text = codebook_markdown(with_sector(description="Plans | with\npipes"))
    widths: list[int] = []
    for line in text.splitlines():
        if not line.startswith("|"):
            widths = []
            continue
        widths.append(len(table_cells(line)))
        assert widths[-1] == widths[0], line
    row = next(line for line in table_lines(text) if line.startswith("| energy"))
    assert [cell.strip() for cell in table_cells(row)] == [
        "energy",
        r"Energy \| power",
        "Electricity<br>and heat",
        r"wind farms<br>grid \| lines",
    ]
    assert r"| Description | Plans \| with<br>pipes |" in text


def test_a_prompt_with_fences_sits_in_a_longer_fence() -> None:
    text = codebook_markdown(with_sector())
    fence = "`" * 5  # the prompt holds a run of four backticks
    block = f"{fence}\n{SYSTEM_PROMPT}\n{fence}"
    assert block in text
    assert f"{fence}\n{TEMPLATE}\n{fence}" not in text  # short text gets the usual fence
    assert f"```\n{TEMPLATE}\n```" in text


def test_markdown_escapes_text_that_would_turn_into_markup() -> None:
    text = codebook_markdown(with_sector())
    assert r"### sector: Sector \*of\* the \[plan\]" in text
    # Instructions keep their line breaks (hard breaks) and their list-like lines stay text.
    assert "Code the sector.\\\n\\- energy first\\\n1\\. then transport\n\nSecond paragraph." in text
    assert "Pick the main sector.\\\nIgnore annexes." in text
    assert "coded only if adopted equals True" in text
    assert "target_year" in text and r"target\_year" not in text  # names stay readable


def test_a_group_prompt_is_written_out_once() -> None:
    text = codebook_markdown(sample.dataset())
    assert text.count("You code plans.") == 1
    assert text.count("The same prompt as title, written out above.") == 4


def test_value_columns_follow_the_export_options() -> None:
    plain = codebook_markdown(sample.dataset())
    assert "| level | Level of government |" in plain
    assert "level_1" not in plain and "_confidence" not in plain
    detailed = codebook_markdown(sample.dataset(ExportOptions(expand_multi=True, value_details=True)))
    for column in ("level_1", "level_2", "level_confidence", "level_evidence", "title_corrected"):
        assert f"| {column} |" in detailed
    assert "| level | Level of government |" not in detailed


def test_the_quality_overview_has_coverage_and_without_a_report_says_agreement_was_not_measured() -> None:
    text = codebook_markdown(with_sector())
    overview = text[text.index("\n## Quality\n") :]
    quality = next(line for line in table_lines(overview) if line.startswith("| sector |"))
    assert quality == "| sector | 2 | 50% | 50% | 0% |  | 0 |"
    assert "| reviewed | 1 |" in text  # the sample's reviewed variables
    assert "Agreement between the AI and the researchers was not measured." in overview
    assert "#### Agreement" not in text and "| verdict |" not in text


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_each_variable_has_its_verdict_every_comparison_and_the_calibration() -> None:
    text = codebook_markdown(sample.dataset(agreement=sample.agreement()))

    title = section(text, "### title: Title of the plan", "#### Prompt")
    assert (
        r"title: alpha 0.83 \[0.64, 0.96\] on 12 units (AI vs review), meets 0.8: may run on the full corpus."
        in title
    )
    assert "| comparison | units | agreement | kappa | alpha (nominal) | AC1 | F1 |" in title
    assert r"| AI vs review | 12 | 91% |  | 0.83 \[0.64, 0.96\] | 0.90 |  |" in title
    assert (
        "Calibration error 0.04. At a threshold of 0.873, 25% of values would go to review and the rest were "
        "100% correct (target 95%). The current threshold, 0.7, sends 10% to review."
    ) in title
    adopted = section(text, "### adopted: Adopted by parliament", "#### Prompt")
    assert "adopted: alpha 0.72" in adopted and "tentative only." in adopted
    assert [line.split(" | ")[0] for line in table_lines(adopted)[-3:]] == [
        "| AI vs review",
        "| AI vs bea",
        "| ana vs bea",
    ]
    assert r"| AI vs bea | 15 | 86% | 0.71 \[0.48, 0.90\] | 0.72 \[0.50, 0.90\] | 0.75 |  |" in adopted
    assert "Calibration error" not in adopted  # none for this variable
    level = section(text, "### level: Level of government", "#### Prompt")
    assert r"| AI vs review | 11 | 90% |  |  |  | 0.92 \[0.80, 0.97\] |" in level
    assert "| alpha (interval) |" in section(text, "### target_year", "#### Prompt")
    assert "only 3 units compared; 10 are needed for a verdict." in text
    unmeasured = section(text, f"### {sample.LONG_NAME}", "#### Prompt")
    assert "not measured yet (review or blind-code a sample)." in unmeasured
    assert "| comparison |" not in unmeasured


def test_the_quality_section_explains_agreement_at_the_reliability_level_and_sums_up() -> None:
    text = codebook_markdown(sample.dataset(agreement=sample.agreement()))
    overview = section(text, "\n## Quality\n", "\n## Runs\n")

    assert "agreement with review" not in text and "judged correct" not in text
    assert "Krippendorff's alpha" in overview and "At the project's reliability level of 0.8" in overview
    assert "between 0.667 and 0.8 it supports tentative conclusions only" in overview
    assert "keep 95% accuracy" in overview
    header = "| variable | comparison | compared | agreement | measure | reliability | 95% interval | kappa |"
    assert header in overview
    assert (
        r"| title | AI vs review | 12 | 91% | alpha (nominal) | 0.83 | \[0.64, 0.96\] |  | ready | 0.04 | 0.873 |"
        in overview
    )
    assert (
        r"| level | AI vs review | 11 | 90% | F1 (set) | 0.92 | \[0.80, 0.97\] |  | ready |  |  |" in overview
    )
    assert f"| {sample.LONG_NAME} |  |  |  |  |  |  |  | not measured |  |  |" in overview
    assert overview.rstrip().endswith(
        r"2 of 5 variables meet reliability \>= 0.8; refine adopted; target_year and "
        f"{sample.LONG_NAME} need more reviewed units."
    )
    about = section(text, "## About the export", "## Variables")
    assert "| Reliability level | 0.8 |" in about and r"| Agreement | 2 of 5 variables meet" in about


def test_a_variable_without_prompt() -> None:
    base = sample.dataset()
    first = replace(base.variables[0], prompt=None)
    text = codebook_markdown(replace(base, variables=[first]))
    assert "No prompt yet." in text and "System prompt" not in text


def test_markdown_without_variables_or_runs(tmp_path: Path) -> None:
    path = tmp_path / "codebook.md"
    write_codebook_markdown(empty_dataset(), path)
    text = path.read_text(encoding="utf-8")
    assert "## Variables\n\nThe project has no variables." in text
    assert "## Runs\n\nNo runs yet." in text
    assert "| Units in the data | 0 |" in text


# Word


@pytest.fixture
def word(tmp_path: Path) -> Any:
    path = tmp_path / "codebook.docx"
    write_codebook_docx(with_sector(), path)
    return docx.Document(str(path))


def test_docx_headings(word: Any) -> None:
    headings = [
        (p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == ("Title", "Codebook: Climate plans")
    assert ("Heading 1", "About the export") in headings
    assert ("Heading 2", "title: Title of the plan") in headings
    assert ("Heading 2", "sector: Sector *of* the [plan]") in headings  # no Markdown escapes in Word
    assert headings[-1] == ("Heading 1", "Runs")


def test_docx_tables(word: Any) -> None:
    rows = [[cell.text for cell in row.cells] for table in word.tables for row in table.rows]
    assert ["Project", "Climate plans"] in rows
    assert ["energy", "Energy | power", "Electricity\nand heat", "wind farms\ngrid | lines"] in rows
    assert ["value", "label", "definition", "examples"] in rows
    assert ["reviewed", "0"] in rows
    assert ["1", "sample", "completed", "gpt-4o-mini"] in [row[:4] for row in rows]
    header = word.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert header.bold
    assert word.tables[0].style.name in ("Light Grid Accent 1", "Table Grid")


def test_docx_prompt_is_verbatim_and_monospace(word: Any) -> None:
    code = [p for p in word.paragraphs if p.style.name == "Preformatted Text"]
    assert [p.text for p in code] == ["You code plans.", "{document}", SYSTEM_PROMPT, TEMPLATE]
    assert code[0].style.font.name in ("Consolas", "Courier New")
    instructions = next(p for p in word.paragraphs if p.text.startswith("Code the sector."))
    assert instructions.text == SECTOR["instructions"]  # line breaks kept


def test_docx_drops_characters_xml_cannot_hold(tmp_path: Path) -> None:
    prompt = replace(NASTY_PROMPT, system_prompt="Sys\x00tem\x0b prompt\ufffe\x1f", message_template="a\r\nb")
    base = with_sector(name="Climate\x07 plans", description="bad\x0c text")
    dataset = replace(base, variables=[*base.variables[:-1], replace(base.variables[-1], prompt=prompt)])
    path = tmp_path / "codebook.docx"
    write_codebook_docx(dataset, path)
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert "Codebook: Climate plans" in texts
    assert "System prompt" in texts and "a\nb" in texts
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "bad text" in cells
    assert "\x00" not in codebook_markdown(dataset)


def test_docx_has_the_agreement_of_each_variable(tmp_path: Path) -> None:
    path = tmp_path / "codebook.docx"
    write_codebook_docx(sample.dataset(agreement=sample.agreement()), path)
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]

    assert ("Heading 3", "Agreement") in [(p.style.name, p.text) for p in document.paragraphs]
    assert (
        "title: alpha 0.83 [0.64, 0.96] on 12 units (AI vs review), meets 0.8: may run on the full corpus."
        in texts
    )
    assert ["AI vs bea", "15", "86%", "0.71 [0.48, 0.90]", "0.72 [0.50, 0.90]", "0.75", ""] in rows
    assert any(text.startswith("Calibration error 0.04. At a threshold of 0.873") for text in texts)
    assert [
        "title",
        "AI vs review",
        "12",
        "91%",
        "alpha (nominal)",
        "0.83",
        "[0.64, 0.96]",
        "",
        "ready",
        "0.04",
        "0.873",
    ] in rows
    assert any(text.startswith("2 of 5 variables meet reliability >= 0.8") for text in texts)


def test_docx_without_variables_or_runs(tmp_path: Path) -> None:
    path = tmp_path / "codebook.docx"
    write_codebook_docx(empty_dataset(), path)
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert "The project has no variables." in texts and "No runs yet." in texts
    assert len(document.tables) == 1  # about the export
