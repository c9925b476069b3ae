"""A variable's refinements as the Quality page lists them: when, by whom, the split, how the current prompt
and the chosen proposal did on the held-out documents, and what became of it."""

from __future__ import annotations

import html

from coderai_desktop.domain.refinement import RefinementInfo, RefinementStatus
from coderai_desktop.formatting import local_time, money

STATUS_WORDS = {
    RefinementStatus.PROPOSED: "proposals not tested yet",
    RefinementStatus.EVALUATED: "tested, waiting for your choice",
    RefinementStatus.CHOSEN: "a proposal was chosen",
    RefinementStatus.KEPT: "the current prompt was kept",
}


def history_html(history: list[RefinementInfo]) -> str:
    if not history:
        return (
            "<p>No refinement yet. When its corrections pile up, <b>Refine the prompt…</b> asks an LLM for "
            "revisions learnt from part of them and tests each on the documents it did not see.</p>"
        )
    return "".join(_entry(info) for info in history)


def _entry(info: RefinementInfo) -> str:
    author = f" by {html.escape(info.author)}" if info.author else ""
    lines = [
        f"<b>Refinement {info.id}</b>, {local_time(info.created_at)}{author}: {STATUS_WORDS[info.status]}.",
        f"Learnt from {len(info.split.refinement)} documents, tested on {len(info.split.held_out)} held out "
        f"(seed {info.split.seed}); cost {money(info.cost)}.",
    ]
    if info.baseline is not None:
        lines.append(f"Current prompt on the held-out units: {html.escape(info.baseline.text())}.")
    if (proposal := info.chosen_proposal) is not None:
        result = proposal.result.text() if proposal.result is not None else "not tested"
        lines.append(f"Chosen: <i>{html.escape(proposal.title)}</i>, {html.escape(result)}.")
        lines.append(html.escape(proposal.rationale))
        if info.prompt_versions:
            lines.append(f"New prompt versions: {html.escape(', '.join(info.prompt_versions))}.")
    return "<p>" + "<br>".join(lines) + "</p>"
