"""The exported codebook document carries the Quality page's charts and each variable's prompt refinements,
read in the export's transaction: Markdown with its figures in a folder beside it, Word with them embedded.
The refinements are rows written through the repository, as the refinement service writes them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import docx
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.agreement import Interval
from coderai_desktop.domain.refinement import HeldOutResult, Proposal, ProposalChanges
from coderai_desktop.export.model import ExportFormat
from coderai_desktop.export.service import ExportService
from coderai_desktop.persistence.repositories.refinements import (
    RefinementRepository,
    proposal_json,
    result_json,
)
from coderai_desktop.persistence.tables import Refinement, Variable
from coderai_desktop.review.service import ReviewService
from tests.integration.export.test_review_quality import review_sectors
from tests.integration.review.conftest import Sampled, reviews, sampled
from tests.integration.runs.conftest import NAMES, on_each_backend

__all__ = ["reviews", "sampled"]  # the review tests' fixtures, used here too
PNG = b"\x89PNG\r\n\x1a\n"
FIGURES = [
    *[f"{name}-values" for name in NAMES[:5]],
    "sector-calibration",  # the only variable reviewed: its calibration and confusion matrix
    "sector-confusion",
    *[f"{name}-values" for name in NAMES[5:]],
    "agreement",
]
FILES = [f"{number:02d}-{stem}.png" for number, stem in enumerate(FIGURES, 1)]


def add_refinements(context: AppContext, user: UserSession, project_id: int) -> None:
    """Two refinements of sector's prompt: one whose second proposal was chosen, one kept."""
    before = HeldOutResult(4, "alpha", 0.52, Interval(0.1, 0.9), 0.75)
    after = HeldOutResult(4, "alpha", 0.91, Interval(0.6, 1.0), 1.0)
    proposals = [
        Proposal("Housing first", "Housing plans were read as energy.", ProposalChanges(), "p", "q"),
        Proposal("Define transport", "Mobility was missed.", ProposalChanges("Transport: mobility."), "p", "r", after),
    ]  # fmt: skip
    with context.database.transaction() as session:
        variable_id = session.scalar(
            sa.select(Variable.id).where(Variable.project_id == project_id, Variable.name == "sector")
        )
        repository = RefinementRepository(session, user.workspace_id)
        for status, chosen, versions in (("chosen", 1, ["grouped:1 v2"]), ("kept", None, None)):
            repository.add(
                Refinement(
                    project_id=project_id,
                    variable_id=variable_id,
                    status=status,
                    seed=7,
                    split={"refinement": [1, 2, 3, 4, 5], "held_out": [6, 7]},
                    variable={"name": "sector"},
                    errors=[],
                    proposals=[proposal_json(proposal) for proposal in proposals],
                    baseline=result_json(before),
                    usage={"cost": 0.01},
                    chosen=chosen,
                    prompt_versions=versions,
                    account_id=user.account_id,
                    created_at=datetime(2026, 11, 3, 12, 0, tzinfo=UTC),
                )
            )


@on_each_backend
async def test_the_codebook_carries_the_charts_and_the_refinements(
    exports: ExportService,
    reviews: ReviewService,
    sampled: Sampled,
    context: AppContext,
    user: UserSession,
    tmp_path: Path,
) -> None:
    project = sampled.corpus.project_id
    await review_sectors(reviews, sampled.corpus)
    add_refinements(context, user, project)

    markdown = tmp_path / "plans_codebook.md"
    await exports.export(project, ExportFormat.CSV, tmp_path / "plans.csv", codebook=markdown)
    folder = tmp_path / "plans_codebook_figures"
    assert sorted(path.name for path in folder.iterdir()) == FILES
    assert all(path.read_bytes().startswith(PNG) for path in folder.iterdir())
    text = markdown.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == [f"plans_codebook_figures/{name}" for name in FILES]
    assert all((tmp_path / unquote(link)).is_file() for link in links)
    assert not list(tmp_path.glob(".*partial*"))  # nothing of the atomic write left behind

    assert text.count("#### Prompt refinements") == 1
    history = text[text.index("#### Prompt refinements") : text.index("### topics")]
    rows = [line for line in history.splitlines() if line.startswith("| ")]
    assert len(rows) == 4  # the header, its rule, two refinements
    assert "| ana | chosen | 5 for refinement, 2 held out |" in rows[2]
    assert r"alpha 0.52 \[0.10, 0.90\], 75% identical on 4 units" in rows[2]
    assert r"alpha 0.91 \[0.60, 1.00\], 100% identical on 4 units" in rows[2]
    assert "Define transport: Mobility was missed.<br>(prompt grouped:1 v2)" in rows[2]
    assert "| kept |" in rows[3] and "none: the current prompt was kept" in rows[3]

    word = tmp_path / "plans_codebook.docx"
    await exports.export(project, ExportFormat.CSV, tmp_path / "plans.csv", codebook=word)
    document = docx.Document(str(word))
    assert len(document.inline_shapes) == len(FILES)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[-1].startswith(f"Figure {len(FILES)}. Agreement between the AI and the researchers")
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    chosen = next(row for row in cells if row[1:3] == ["ana", "chosen"])
    assert chosen[6] == "Define transport: Mobility was missed.\n(prompt grouped:1 v2)"
