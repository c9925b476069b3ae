"""`coderai refine`: prompt refinement, headless. Proposals learnt from the corrections of a refinement set,
tested on held-out documents, and chosen (or not) by the researcher."""

from __future__ import annotations

import argparse
import difflib
import shlex
import sys
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import SubParsers, confirm, log_in, print_table, project_as_written
from coderai_desktop.commands.projects import PROJECT_HELP
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.refinement import (
    DEFAULT_PROPOSALS,
    HELD_OUT_SHARE,
    FeedbackAnalysis,
    RefinementInfo,
    RefinementStatus,
)
from coderai_desktop.formatting import money, value_text

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.pipeline.refinement import RefinementService

DESCRIPTION = (
    "Refine a variable's prompt from your corrections. The reviewed documents are split into a refinement "
    "set and a held-out set (stratified; --seed makes it reproducible). An LLM proposes revisions of the "
    "variable's instructions, rules, category definitions and worked examples from the refinement set only; "
    "each is tested by re-coding the held-out documents (after you confirm the cost), and shown beside the "
    "current prompt. Nothing changes until you choose: --choose N makes proposal N the variable's prompt (a "
    "new version, 'refined from feedback'), --choose 0 keeps the current one. With --choose and a refinement "
    "of the variable already tested and undecided, that refinement is decided without new calls."
)
SHOWN_ERRORS = 20
CHANCE = "its interval overlaps the current prompt's: the difference may be chance; review more documents"


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    refine = commands.add_parser(
        "refine",
        help="refine a variable's prompt from your corrections, tested on held-out documents",
        description=DESCRIPTION,
        parents=[common],
    )
    refine.add_argument("project", help=PROJECT_HELP)
    refine.add_argument("variable", help="the variable whose prompt to refine")
    refine.add_argument(
        "--proposals", type=int, default=DEFAULT_PROPOSALS, metavar="N", help="revisions to ask for (1-3)"
    )
    refine.add_argument("--seed", type=int, help="the split's seed (default: a random one, printed)")
    refine.add_argument(
        "--held-out",
        type=float,
        default=HELD_OUT_SHARE,
        metavar="SHARE",
        help=f"share of the reviewed documents kept to test the proposals (default {HELD_OUT_SHARE})",
    )
    refine.add_argument("--yes", action="store_true", help="test the proposals without asking about the cost")
    refine.add_argument(
        "--choose", type=int, metavar="N", help="make proposal N the prompt (0: keep the current prompt)"
    )
    refine.set_defaults(handler=refine_prompt)


async def refine_prompt(context: AppContext, args: argparse.Namespace) -> int:
    user = await log_in(context, args)
    service = context.refinement(user)
    pending = [
        info
        for info in await service.history(args.project, args.variable)
        if info.status is RefinementStatus.EVALUATED
    ]
    if args.choose is not None and pending:
        print(f"Deciding refinement {pending[0].id} of {args.variable} (already tested).")
        return await _decide(service, pending[0], args.choose)
    analysis = await service.analyse(args.project, args.variable)
    _print_analysis(analysis)
    info = await service.propose(
        args.project, args.variable, proposals=args.proposals, seed=args.seed, held_out_share=args.held_out
    )
    _print_proposals(info)
    estimate = await service.estimate(info.id)
    print(estimate.text())
    confirm(
        "Test the proposals on the held-out documents?",
        assume_yes=args.yes,
        why=f"Testing the proposals calls the model (about {money(estimate.cost)})",
    )
    info = await service.evaluate(info.id)
    _print_results(info)
    if args.choose is not None:
        return await _decide(service, info, args.choose)
    if sys.stdin.isatty():
        answer = input(
            f"Choose a proposal (1-{len(info.proposals)}), 0 to keep the current prompt, or Enter to decide later: "
        )
        if answer.strip():
            return await _decide(service, info, _number(answer))
    command = shlex.join(["coderai", "refine", project_as_written(args), args.variable, "--choose", "N"])
    print(f"Nothing changed. Decide with `{command}` (0 keeps the current prompt).")
    return 0


async def _decide(service: RefinementService, info: RefinementInfo, number: int) -> int:
    decided = await service.choose(info.id, None if number == 0 else number - 1)
    if decided.chosen is None:
        print(f"Kept the current prompt of {decided.variable}.")
    else:
        made = ", ".join(decided.prompt_versions) or "no prompt changed"
        print(f"Proposal {number} is now {decided.variable}'s prompt ({made}, refined from feedback).")
        print("Run the sample again to see it at work on new documents.")
    return 0


def _number(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInputError(f"{text.strip()!r} is not a proposal number.") from None


def _print_analysis(analysis: FeedbackAnalysis) -> None:
    print(analysis.summary())
    errors = analysis.errors
    if errors:
        rows = [
            (
                item.document + (f" [{item.entity}]" if item.entity else ""),
                value_text(item.ai_value),
                value_text(item.human_value),
                item.kind,
                item.note or "",
            )
            for item in errors[:SHOWN_ERRORS]
        ]
        print_table(("DOCUMENT", "AI", "CORRECTED", "KIND", "NOTE"), rows)
        if len(errors) > SHOWN_ERRORS:
            print(f"... and {len(errors) - SHOWN_ERRORS} more.")
    print()


def _print_proposals(info: RefinementInfo) -> None:
    split = info.split
    print(
        f"Refinement {info.id} (seed {split.seed}): {len(split.refinement)} documents to learn from, "
        f"{len(split.held_out)} held out to test the proposals (ids {', '.join(map(str, split.held_out))})."
    )
    for number, proposal in enumerate(info.proposals, 1):
        print(f"\n[{number}] {proposal.title}\n{proposal.rationale}")
        diff = difflib.unified_diff(
            proposal.prompt_before.splitlines(),
            proposal.prompt_after.splitlines(),
            "current",
            "proposed",
            lineterm="",
            n=1,
        )
        print("\n".join(diff))
    print()


def _print_results(info: RefinementInfo) -> None:
    rows = [("current prompt", info.baseline.text() if info.baseline else "not measured", "")]
    for number, proposal in enumerate(info.proposals, 1):
        result = proposal.result.text() if proposal.result else "not tested"
        rows.append((f"[{number}] {proposal.title}", result, money(proposal.cost)))
    print(f"On the {len(info.split.held_out)} held-out documents:")
    print_table(("PROMPT", "AGREEMENT WITH YOUR REVIEWS", "COST"), rows)
    if (best := info.best) is not None:
        chance = "" if info.clearly_better(best) else f" ({CHANCE})"
        print(f"Best on the held-out documents: [{best + 1}] {info.proposals[best].title}{chance}.")
    else:
        print(
            "No proposal did better than the current prompt on the held-out documents: keep it (--choose 0)."
        )
