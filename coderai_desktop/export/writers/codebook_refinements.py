"""A variable's prompt refinements in the codebook document: when, by whom, what became of each, the split of
the corrected documents, and how the prompt did on the held-out documents before and after."""

from __future__ import annotations

from coderai_desktop.domain.refinement import RefinementInfo, RefinementStatus
from coderai_desktop.export.writers.codebook_render import Block, Heading, Paragraph, TextTable
from coderai_desktop.formatting import local_time

COLUMNS = (
    "date",
    "by",
    "status",
    "documents",
    "held-out before",
    "held-out after",
    "chosen proposal",
)
NOTE = (
    "Each refinement split the documents with corrected values into a refinement set, from which an LLM "
    "proposed revisions of the prompt, and a held-out set it never saw, on which the current prompt "
    "(before) and the chosen revision (after) were measured against the researchers' values."
)


def refinement_blocks(history: tuple[RefinementInfo, ...]) -> list[Block]:
    """Nothing when the variable's prompt was never refined."""
    if not history:
        return []
    rows = tuple(_row(info) for info in history)
    return [Heading(3, "Prompt refinements"), Paragraph(NOTE), TextTable(COLUMNS, rows)]


def _row(info: RefinementInfo) -> tuple[str, ...]:
    chosen = info.chosen_proposal
    after = "" if chosen is None or chosen.result is None else chosen.result.text()
    if chosen is not None:
        choice = f"{chosen.title}: {chosen.rationale}"
        if info.prompt_versions:
            choice += f"\n(prompt {', '.join(info.prompt_versions)})"
    elif info.status is RefinementStatus.KEPT:
        choice = "none: the current prompt was kept"
    else:
        choice = "not chosen yet"
    return (
        local_time(info.created_at),
        info.author or "",
        info.status.value,
        f"{len(info.split.refinement)} for refinement, {len(info.split.held_out)} held out",
        "not measured" if info.baseline is None else info.baseline.text(),
        after,
        choice,
    )
