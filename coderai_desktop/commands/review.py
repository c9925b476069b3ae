"""`coderai review` (judge values, undo, history, the queue, corrections sheets), `coderai code --blind`
(blind coding sheets) and `coderai agreement` (agreement, calibration and the verdict per variable)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coderai_desktop.commands.common import SubParsers, log_in, print_table
from coderai_desktop.commands.projects import PROJECT_HELP
from coderai_desktop.domain.agreement import AgreementReport, Comparison, Interval, percent_text
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.formatting import local_time, shorten

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.review.blind_rounds import BlindRoundStatus
    from coderai_desktop.review.service import ReviewService

ACTIONS = {"set": 3, "undo": 3, "clear": 3, "history": 3, "queue": 1}  # action -> its words after it
QUEUE_LENGTH = 20
VALUE_WIDTH = 30
REVIEW_USAGE = (
    "coderai review PROJECT --export FILE | --import FILE [--all-or-nothing]\n"
    "       coderai review set PROJECT DOCUMENT VARIABLE --correct | --incorrect VALUE | --partial VALUE [--note TEXT]\n"
    "       coderai review undo|clear|history PROJECT DOCUMENT VARIABLE\n"
    "       coderai review queue PROJECT [--variable V] [--limit N]"
)


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    review = commands.add_parser(
        "review",
        help="judge coded values: correct, incorrect or partly correct; undo; history; a corrections sheet",
        description="Review the AI's values. The AI's value is never changed: each review is recorded with "
        "who and when, the latest applies, and undo goes back. DOCUMENT is an id or a file name. A project "
        "named like an action (set, undo...) is written '#ID'.",
        usage=REVIEW_USAGE,
        parents=[common],
    )
    review.add_argument("words", nargs="+", metavar="ACTION/PROJECT ...", help=argparse.SUPPRESS)
    review.add_argument(
        "--export", type=Path, metavar="FILE", help="write a corrections sheet (.csv or .xlsx)"
    )
    review.add_argument(
        "--all-values", action="store_true", help="every current value, not only the sample's"
    )
    review.add_argument(
        "--import", dest="import_file", type=Path, metavar="FILE", help="read a filled-in sheet"
    )
    review.add_argument("--all-or-nothing", action="store_true", help="import nothing if any row is bad")
    judged = review.add_mutually_exclusive_group()
    judged.add_argument("--correct", action="store_true", help="the value is right")
    judged.add_argument(
        "--incorrect", metavar="VALUE", help='the right value ("" when the document gives none)'
    )
    judged.add_argument("--partial", metavar="VALUE", help="partly right: the corrected value")
    review.add_argument("--note", help="why, in a few words")
    review.add_argument("--entity", type=int, metavar="N", help="the entity (entity projects)")
    review.add_argument("--variable", help="queue: only this variable")
    review.add_argument("--limit", type=int, default=QUEUE_LENGTH, help="queue: how many values to show")
    review.set_defaults(handler=review_command)

    code = commands.add_parser(
        "code",
        help="blind coding: a sheet to code a sample yourself, without seeing the AI's values, and its import",
        parents=[common],
    )
    code.add_argument("project", help=PROJECT_HELP)
    mode = code.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--blind",
        action="store_true",
        help="code without seeing the AI's values (the sample of your blind round, if you are in one)",
    )
    mode.add_argument(
        "--blind-round",
        nargs="+",
        metavar="ACTION",
        help="blind double coding by several members: start (with --coders), status, or done ID "
        "(you have finished coding round ID)",
    )
    code.add_argument("--coders", help="--blind-round start: the coders' logins, e.g. ana,ben")
    code.add_argument(
        "--sample", type=int, metavar="N", help="N coded documents drawn at random (default: all)"
    )
    code.add_argument("--seed", type=int, help="random seed (the same seed draws the same documents)")
    code.add_argument("--out", type=Path, metavar="FILE", help="write the sheet (.csv or .xlsx)")
    code.add_argument("--import", dest="import_file", type=Path, metavar="FILE", help="read your coded sheet")
    code.add_argument(
        "--coder", help="import the sheet as this coder's (a colleague's sheet); default: your login"
    )
    code.add_argument("--all-or-nothing", action="store_true", help="import nothing if any row is bad")
    code.set_defaults(handler=blind_command)

    agreement = commands.add_parser(
        "agreement",
        help="agreement between the AI and human coding per variable, calibration and the go/no-go verdict",
        parents=[common],
    )
    agreement.add_argument("project", help=PROJECT_HELP)
    agreement.add_argument("--variable", help="only this variable")
    agreement.add_argument(
        "--coder", metavar="LOGIN", help="only this coder's reviews and blind codings (default: everyone's)"
    )
    agreement.add_argument(
        "--level", type=float, help="reliability level for the verdict (default: the project's)"
    )
    agreement.add_argument(
        "--accuracy", type=float, help="with --save: the target accuracy of accepted values"
    )
    agreement.add_argument(
        "--refine-after",
        type=int,
        metavar="N",
        help="with --save: the corrections of a variable that make refining its prompt worth it (default 10)",
    )
    agreement.add_argument(
        "--save", action="store_true", help="keep --level, --accuracy and --refine-after as the project's"
    )
    agreement.add_argument(
        "--apply-thresholds", action="store_true", help="set each variable's suggested confidence threshold"
    )
    agreement.add_argument("--json", action="store_true", help="print the report as JSON")
    agreement.set_defaults(handler=agreement_command)


# --- review ----------------------------------------------------------------------------------------------


async def review_command(context: AppContext, args: argparse.Namespace) -> int:
    action, words = _action(args.words)
    args.project = words[0]  # for log_in, which opens a project shared with the person
    user = await log_in(context, args)
    reviews = context.reviews(user)
    if action is None:
        return await _sheet(reviews, args.project, args)
    if action == "queue":
        _print_queue(await reviews.queue(args.project, variable=args.variable), args.limit)
        return 0
    _, document, variable = words
    value_id = await reviews.find_value(args.project, document, variable, args.entity)
    if action == "history":
        _print_history(await reviews.history(value_id))
        return 0
    if action == "undo":
        done = await reviews.undo(value_id)
        print(f"Undone: {variable} of {document} is now {_state_words(done.state)}.")
        return 0
    if action == "clear":
        done = await reviews.clear(value_id, args.note)
    else:
        feedback, corrected = _judgement(args)
        done = await reviews.review(value_id, feedback, corrected, args.note)
    print(
        f"{variable} of {document}: {_state_words(done.state)}"
        + ("" if done.changed else " (it already was; nothing new recorded)")
        + "."
    )
    return 0


def _action(words: list[str]) -> tuple[str | None, list[str]]:
    if words[0] in ACTIONS:
        action, rest = words[0], words[1:]
        if len(rest) != ACTIONS[action]:
            raise InvalidInputError(f"`review {action}` takes {_what(action)}.\nUsage: {REVIEW_USAGE}")
        return action, rest
    if len(words) != 1:
        raise InvalidInputError(f"Unexpected {' '.join(words[1:])!r}.\nUsage: {REVIEW_USAGE}")
    return None, words


def _what(action: str) -> str:
    return "PROJECT" if ACTIONS[action] == 1 else "PROJECT DOCUMENT VARIABLE"


def _judgement(args: argparse.Namespace) -> tuple[FeedbackType, Any]:
    if args.correct:
        return FeedbackType.CORRECT, None
    if args.incorrect is not None:
        return FeedbackType.INCORRECT, args.incorrect
    if args.partial is not None:
        return FeedbackType.PARTIALLY_CORRECT, args.partial
    raise InvalidInputError("Say how the value is: --correct, --incorrect VALUE or --partial VALUE.")


async def _sheet(reviews: ReviewService, project: ProjectRef, args: argparse.Namespace) -> int:
    if (args.export is None) == (args.import_file is None):
        raise InvalidInputError(
            f"Give --export FILE to write a corrections sheet, or --import FILE to read one back.\nUsage: {REVIEW_USAGE}"
        )
    if args.export is not None:
        rows = await reviews.export_corrections(project, args.export, sample_only=not args.all_values)
        which = "current values" if args.all_values else "values of the sample runs"
        print(
            f"Wrote {rows} {which} to {args.export}. Fill in 'review' (and 'corrected_value'), then import it."
        )
        return 0
    report = await reviews.import_corrections(project, args.import_file, all_or_nothing=args.all_or_nothing)
    print(report.summary())
    return 1 if report.problems else 0


def _print_queue(items: list[Any], limit: int) -> None:
    if not items:
        print("Nothing waits for review: every current value has been reviewed (or nothing is coded yet).")
        return
    rows = [
        (
            item.extraction_id,
            shorten(item.document + (f" / {item.entity_text}" if item.entity_text else ""), 30),
            item.variable,
            shorten(_value_text(item.value), VALUE_WIDTH),
            "" if item.confidence is None else f"{item.confidence:.2f}",
            f"{item.risk:.2f}",
            shorten("; ".join(item.reasons), 70),
        )
        for item in items[:limit]
    ]
    print_table(("VALUE", "DOCUMENT", "VARIABLE", "AI VALUE", "CONF", "RISK", "WHY"), rows)
    if len(items) > limit:
        print(f"... and {len(items) - limit} more (--limit N shows more).")


def _print_history(events: list[Any]) -> None:
    if not events:
        print("Not reviewed yet.")
        return
    rows = [
        (
            local_time(event.at),
            event.reviewer or "(deleted account)",
            ("undo: " if event.undoes else "") + _state_words(event.state),
            event.state.note or "",
        )
        for event in events
    ]
    print_table(("WHEN", "WHO", "REVIEW", "NOTE"), rows)


def _state_words(state: Any) -> str:
    if state.feedback is None:
        return "not reviewed"
    if state.feedback is FeedbackType.CORRECT:
        return "correct"
    word = "incorrect" if state.feedback is FeedbackType.INCORRECT else "partly correct"
    return f"{word}, corrected to {_value_text(state.corrected_value) or 'no value'}"


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else str(value)


# --- blind coding ----------------------------------------------------------------------------------------


async def blind_command(context: AppContext, args: argparse.Namespace) -> int:
    if args.blind_round is not None:
        return await blind_round_command(context, args)
    if (args.out is None) == (args.import_file is None):
        raise InvalidInputError(
            "Give --out FILE to write a blind coding sheet, or --import FILE to read yours back."
        )
    user = await log_in(context, args)
    reviews = context.reviews(user)
    if args.out is not None:
        mine = await reviews.open_blind_round(args.project) if args.sample is None else None
        rows = await reviews.export_blind_sheet(args.project, args.out, sample=args.sample, seed=args.seed)
        of_round = f" of blind round {mine.id}" if mine is not None else ""
        print(
            f"Wrote {rows} units{of_round} to {args.out}, without the AI's values. Code them, then import "
            "the sheet."
        )
        return 0
    report = await reviews.import_blind_sheet(
        args.project, args.import_file, coder=args.coder, all_or_nothing=args.all_or_nothing
    )
    coder = (args.coder or "").strip() or user.login
    print(report.summary().replace("rows imported", f"rows imported as {coder}'s codings", 1))
    return 1 if report.problems else 0


async def blind_round_command(context: AppContext, args: argparse.Namespace) -> int:
    action, *rest = args.blind_round
    if action not in ("start", "status", "done") or len(rest) != (action == "done"):
        raise InvalidInputError(
            "--blind-round takes start (with --coders A,B and --sample N), status, or done ID."
        )
    if action == "done" and not rest[0].isdigit():
        raise InvalidInputError(f"--blind-round done takes the round's number, not {rest[0]!r}.")
    user = await log_in(context, args)
    reviews = context.reviews(user)
    if action == "start":
        if not args.coders:
            raise InvalidInputError("Name the round's coders: --coders ana,ben.")
        started = await reviews.start_blind_round(
            args.project, args.coders.split(","), args.sample, args.seed
        )
        print(
            f"Blind round {started.id}: {len(started.document_ids)} documents for {', '.join(started.coders)}. "
            f"Each exports their sheet with `coderai code PROJECT --blind --out FILE`, imports it with "
            f"--import FILE, then says `--blind-round done {started.id}`."
        )
        return 0
    if action == "done":
        status = await reviews.mark_done(int(rest[0]))
        _print_rounds([status])
        return 0
    statuses = await reviews.blind_rounds(args.project)
    if not statuses:
        print("No blind round yet: start one with --blind-round start --coders ana,ben --sample N.")
        return 0
    _print_rounds(statuses)
    return 0


def _print_rounds(statuses: list[BlindRoundStatus]) -> None:
    rows = [
        (
            status.round.id,
            local_time(status.round.created_at),
            len(status.round.document_ids),
            coder.login,
            coder.coded_units,
            local_time(coder.done_at) if coder.done_at else "coding",
        )
        for status in statuses
        for coder in status.coders
    ]
    print_table(("ROUND", "STARTED", "DOCUMENTS", "CODER", "UNITS CODED", "DONE"), rows)
    for status in statuses:
        print()
        if status.agreement is None:
            waiting = ", ".join(status.waiting_for)
            print(
                f"Blind round {status.round.id}: waiting for {waiting}. Until every coder is done, each sees "
                "only their own codings of it."
            )
            continue
        print(f"Blind round {status.round.id} is complete: agreement on its units.")
        _print_report(status.agreement)


# --- agreement -------------------------------------------------------------------------------------------


async def agreement_command(context: AppContext, args: argparse.Namespace) -> int:
    user = await log_in(context, args)
    reviews = context.reviews(user)
    if args.save:
        targets = await reviews.set_targets(
            args.project, level=args.level, accuracy=args.accuracy, refine_after_errors=args.refine_after
        )
        print(
            f"The project's reliability level is {targets.level:g}, its target accuracy {targets.accuracy:g}, "
            f"and a variable is worth refining after {targets.refine_after_errors} corrections.",
            file=sys.stderr,
        )
    elif args.accuracy is not None or args.refine_after is not None:
        raise InvalidInputError(
            "--accuracy and --refine-after are kept with --save; the report uses the project's targets."
        )
    report = await reviews.agreement(args.project, level=args.level, variable=args.variable, coder=args.coder)
    if args.apply_thresholds:
        suggested = {
            item.variable: item.calibration.threshold
            for item in report.variables
            if item.calibration is not None and item.calibration.threshold is not None
        }
        changed = await reviews.apply_thresholds(args.project, suggested)
        for name, threshold in changed.items():
            print(f"{name}: confidence threshold set to {threshold:g}.", file=sys.stderr)
        if not changed:
            print("No threshold changed (none suggested, or they are set already).", file=sys.stderr)
    if args.json:
        print(json.dumps(_plain(report), indent=2, ensure_ascii=False))
    else:
        _print_report(report)
    return 0


def _print_report(report: AgreementReport) -> None:
    rows = [
        (
            item.variable,
            comparison.label,
            comparison.measure,
            comparison.n,
            comparison.missing,
            percent_text(comparison.percent) if comparison.percent is not None else "",
            _with_interval(comparison.kappa, comparison.kappa_ci),
            _with_interval(comparison.alpha, comparison.alpha_ci),
            _figure(comparison.ac1),
            _with_interval(comparison.f1, comparison.f1_ci),
            item.verdict.value if comparison is item.basis else "",
        )
        for item in report.variables
        for comparison in (item.comparisons or (None,))
        if comparison is not None
    ]
    unmeasured = [item.variable for item in report.variables if not item.comparisons]
    if rows:
        print_table(
            (
                "VARIABLE",
                "COMPARISON",
                "LEVEL",
                "N",
                "MISSING",
                "AGREE",
                "KAPPA",
                "ALPHA",
                "AC1",
                "F1",
                "VERDICT",
            ),
            rows,
        )
    if unmeasured:
        print(f"Not measured yet (no reviewed or blind-coded units): {', '.join(unmeasured)}.")
    print()
    for item in report.variables:
        if item.basis is not None:
            print(item.sentence(report.level))
        if item.calibration is not None and item.calibration.n:
            ece = "" if item.calibration.ece is None else f"Calibration error {item.calibration.ece:.2f}. "
            print(f"  {ece}{item.calibration.summary()}")
    print()
    print(report.summary())


def _with_interval(value: float | None, interval: Interval | None) -> str:
    if value is None:
        return ""
    return _figure(value) + (f" {interval}" if interval is not None else "")


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _plain(value: Any) -> Any:
    """Dataclasses, enums and tuples as JSON can hold them."""
    if isinstance(value, Comparison):
        return {**_plain(dataclasses.asdict(value)), "label": value.label, "reliability": value.reliability}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)} | (
            {"summary": value.summary()} if isinstance(value, AgreementReport) else {}
        )
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
