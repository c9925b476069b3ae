"""The codebook document's charts and prompt refinements: with a quality report, Markdown writes each chart
as a PNG in a folder beside it and links it relatively (the same files, the same text, export after export),
Word embeds the images with captions, and each refined variable lists its refinements."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import docx
import pytest

from coderai_desktop.domain.agreement import Interval
from coderai_desktop.domain.quality import Confusion, Distribution, QualityReport, VariableQuality
from coderai_desktop.domain.refinement import (
    HeldOutResult,
    Proposal,
    ProposalChanges,
    RefinementInfo,
    RefinementStatus,
    Split,
)
from coderai_desktop.export.model import Dataset
from coderai_desktop.export.writers.codebook_doc import (
    write_codebook_docx,
    write_codebook_markdown,
)
from tests.unit.export import sample
from tests.unit.export.test_codebook_doc import table_cells

PNG = b"\x89PNG\r\n\x1a\n"
LINK = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
# Document order: each variable's values (and, where measured, calibration or confusion), then agreement.
FIGURES = [
    "01-title-values.png",
    "02-title-calibration.png",
    "03-adopted-values.png",
    "04-adopted-confusion.png",
    "05-level-values.png",
    "06-target_year-values.png",
    f"07-{sample.LONG_NAME}-values.png",
    "08-agreement.png",
]
DISTRIBUTIONS = {
    "title": Distribution("bars", ("Clean air plan", "Energy plan"), (1, 1), missing=1, total=3),
    "adopted": Distribution("bars", ("Yes", "No"), (1, 1), missing=1, total=3),
    "level": Distribution("bars", ("national", "regional"), (1, 2), total=2, multi=True),
    "target_year": Distribution(
        "histogram", ("2030", "2031"), (1, 1), (2030.0, 2031.0, 2032.0), total=2, period="year"
    ),
    sample.LONG_NAME: Distribution("histogram", ("-3", "42.5"), (1, 1), (-3.0, 20.0, 43.0), total=2),
}


def quality_report(refine_after: int = 10) -> QualityReport:
    agreement = sample.agreement()
    variables = []
    for spec in sample.CODEBOOK.variables:
        item = agreement.get(spec.name)
        assert item is not None
        confusion = Confusion(("Yes", "No"), ((8, 1), (2, 4))) if spec.name == "adopted" else None
        variables.append(
            VariableQuality(
                spec.name,
                spec.label,
                spec.type.value.lower(),
                item,
                reviewed=12,
                errors=11 if spec.name == "title" else 1,
                flagged_share=0.1,
                mean_confidence=0.8,
                prompt_version="group:all v2",
                outdated=0,
                distribution=DISTRIBUTIONS[spec.name],
                confusion=confusion,
                ready_to_refine=spec.name == "title",
            )
        )
    return QualityReport(agreement, tuple(variables), refine_after)


def refinements() -> dict[str, tuple[RefinementInfo, ...]]:
    at = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    before = HeldOutResult(8, "alpha", 0.61, Interval(0.3, 0.85), 0.75)
    after = HeldOutResult(8, "alpha", 0.88, Interval(0.7, 1.0), 0.875)
    proposals = (
        Proposal(
            "Name the plan, not the law", "Titles were taken from the cited law.", ProposalChanges(), "a", "b"
        ),
        Proposal("Shorter titles", "Subtitles were kept.", ProposalChanges(), "a", "c", result=after),
    )
    chosen = RefinementInfo(
        1, 1, "title", RefinementStatus.CHOSEN, Split(7, (1, 2, 3, 4), (5, 6)), (), proposals, before, 1,
        ("group:all v3",), 0.02, at, "ana",
    )  # fmt: skip
    kept = replace(chosen, id=2, status=RefinementStatus.KEPT, chosen=None, prompt_versions=(), author=None)
    return {"title": (chosen, kept)}


def with_quality() -> Dataset:
    return replace(
        sample.dataset(agreement=sample.agreement()), quality=quality_report(), refinements=refinements()
    )


@dataclass(frozen=True)
class Written:
    folder: Path
    text: str
    files: dict[str, bytes]
    again: tuple[str, dict[str, bytes]]  # the text and files of a second export


@pytest.fixture(scope="module")
def markdown_export(tmp_path_factory: pytest.TempPathFactory) -> Written:
    """A Markdown codebook written as the export writes it (a temporary file renamed afterwards), where an
    older export left a figure and the researcher a file of their own; then written again."""
    tmp_path = tmp_path_factory.mktemp("markdown")
    final = tmp_path / "plans codebook.md"
    temporary = tmp_path / ".plans codebook.md.partial"
    folder = tmp_path / "plans codebook_figures"
    folder.mkdir()
    (folder / "99-a-figure-of-an-older-export.png").write_bytes(PNG)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    written = []
    for _ in range(2):
        write_codebook_markdown(with_quality(), temporary, final)
        written.append(
            (temporary.read_text(encoding="utf-8"), {p.name: p.read_bytes() for p in folder.iterdir()})
        )
    (text, files), again = written
    return Written(folder, text, files, again)


@pytest.fixture(scope="module")
def word_export(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("word") / "codebook.docx"
    write_codebook_docx(with_quality(), path)
    assert not (path.parent / "codebook_figures").exists()
    return docx.Document(str(path))


def test_markdown_writes_the_figures_beside_it_and_links_them(markdown_export: Written) -> None:
    files = markdown_export.files
    assert sorted(files) == sorted([*FIGURES, "notes.txt"])  # the older figure is gone, the notes kept
    assert all(files[name].startswith(PNG) for name in FIGURES)
    text = markdown_export.text
    links = LINK.findall(text)
    assert links == [f"plans%20codebook_figures/{name}" for name in FIGURES]
    assert all((markdown_export.folder.parent / unquote(link)).is_file() for link in links)
    assert "*Figure 8. Agreement between the AI and the researchers per variable" in text
    # The agreement chart in the Quality section, the values chart under each variable's quality table.
    assert text.index("## Quality") < text.index("08-agreement.png")
    assert text.index("### title: Title") < text.index("01-title-values.png") < text.index("### adopted")


def test_the_same_export_gives_the_same_files(markdown_export: Written) -> None:
    assert markdown_export.again == (markdown_export.text, markdown_export.files)


def test_without_a_quality_report_there_are_no_figures(tmp_path: Path) -> None:
    path = tmp_path / "codebook.md"
    write_codebook_markdown(sample.dataset(agreement=sample.agreement()), path)
    assert not (tmp_path / "codebook_figures").exists()
    assert "![" not in path.read_text(encoding="utf-8")


def test_the_summary_says_what_to_refine(markdown_export: Written) -> None:
    assert "title has 11 corrections to learn from: refine its prompt." in markdown_export.text


def test_word_embeds_the_figures_with_captions(word_export: Any) -> None:
    assert len(word_export.inline_shapes) == len(FIGURES)
    assert {round(shape.width.inches, 2) for shape in word_export.inline_shapes} == {6.0}
    captions = [p.text for p in word_export.paragraphs if p.style.name == "Caption"]
    assert len(captions) == len(FIGURES)
    assert captions[0].startswith("Figure 1. The values of title")
    assert captions[3].startswith("Figure 4. The AI's values of adopted (columns)")


def refinement_rows(text: str) -> list[list[str]]:
    """The cells of the first Prompt refinements table."""
    lines = text[text.index("#### Prompt refinements") :].splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in table_cells(line)])
    return rows


def test_each_refinement_is_listed_under_its_variable(markdown_export: Written) -> None:
    text = markdown_export.text
    assert text.count("#### Prompt refinements") == 1  # title only
    assert text.index("### title: Title") < text.index("#### Prompt refinements") < text.index("### adopted")
    header, _, chosen, kept = refinement_rows(text)
    assert header == [
        "date",
        "by",
        "status",
        "documents",
        "held-out before",
        "held-out after",
        "chosen proposal",
    ]
    assert chosen[1:] == [
        "ana",
        "chosen",
        "4 for refinement, 2 held out",
        r"alpha 0.61 \[0.30, 0.85\], 75% identical on 8 units",
        r"alpha 0.88 \[0.70, 1.00\], 88% identical on 8 units",
        "Shorter titles: Subtitles were kept.<br>(prompt group:all v3)",
    ]
    assert kept[1:4] == ["", "kept", "4 for refinement, 2 held out"]
    assert kept[5:] == ["", "none: the current prompt was kept"]


def test_word_lists_the_refinements(word_export: Any) -> None:
    rows = [[cell.text for cell in row.cells] for table in word_export.tables for row in table.rows]
    chosen = next(row for row in rows if row[2:3] == ["chosen"])
    assert chosen[6] == "Shorter titles: Subtitles were kept.\n(prompt group:all v3)"
