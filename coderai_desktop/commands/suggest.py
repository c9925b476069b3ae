"""`coderai suggest`: the codebook co-pilot, headless. Its output is a codebook file to review and load."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import SubParsers, log_in
from coderai_desktop.commands.projects import PROJECT_HELP
from coderai_desktop.domain.codebook import Codebook, VariableSpec
from coderai_desktop.domain.enums import VariableType
from coderai_desktop.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.pipeline.copilot import Suggestions

DESCRIPTION = (
    "Ask the co-pilot for codebook proposals, read off the project's description and a few sample "
    "documents (3 random ready ones unless --documents or --sample says otherwise). Without --variable it "
    "proposes new variables; with --variable NAME, the categories that variable is missing (for a category "
    "variable) and clearer instructions. It prints (or writes to --out) a WHOLE codebook file: the project's "
    "current variables with the proposals added, each proposal commented with the co-pilot's reasons. "
    "Nothing in the project changes: delete what you do not want from the file, then load it with "
    "`coderai codebook load PROJECT FILE` (which replaces the codebook with the file). Every request and "
    "its proposals are kept in the project's co-pilot conversation (the Codebook page shows it)."
)
Comments = list[str]


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    suggest = commands.add_parser(
        "suggest",
        help="co-pilot: propose variables, categories or clearer instructions (as a codebook file)",
        description=DESCRIPTION,
        parents=[common],
    )
    suggest.add_argument("project", help=PROJECT_HELP)
    which = suggest.add_mutually_exclusive_group()
    which.add_argument("--documents", type=int, nargs="+", metavar="ID", help="read these documents (ids)")
    which.add_argument(
        "--sample", type=int, default=3, metavar="N", help="read N random ready documents (default 3)"
    )
    suggest.add_argument(
        "--variable",
        metavar="NAME",
        help="propose categories (for a category variable) and clearer instructions for this variable",
    )
    suggest.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write the codebook file here (.yaml or .yml; .json has no room for the reasons, which then "
        "go to stderr) instead of printing it",
    )
    suggest.set_defaults(handler=suggest_codebook)


async def suggest_codebook(context: AppContext, args: argparse.Namespace) -> int:
    from coderai_desktop.projects.codebook_file import file_format  # YAML: for this command only

    kind = file_format(args.out) if args.out is not None else "yaml"  # a bad name fails before any call
    user = await log_in(context, args)
    copilot = context.copilot(user)
    codebook = await copilot.codebook(args.project)
    if args.variable is None:
        answers = [await copilot.suggest_variables(args.project, args.documents, args.sample)]
        variables, comments = with_variables(codebook.variables, answers[0])
    else:
        answers = []
        target = _target(args.variable, codebook)
        if target.type is VariableType.CATEGORY:
            answers.append(
                await copilot.suggest_categories(args.project, target.name, args.documents, args.sample)
            )
        answers.append(await copilot.rewrite_instructions(args.project, target.name))
        variables, comments = with_changes(codebook.variables, target.name, answers)
    _report(answers)
    if not any(answer.proposals for answer in answers):
        print(
            "error: the co-pilot proposed nothing that could be used; nothing was written.", file=sys.stderr
        )
        return 1
    text = fragment(Codebook(variables=variables), comments, codebook, answers, kind)
    if kind == "json":
        for lines in comments.values():
            print("\n".join(f"  {line}" for line in lines), file=sys.stderr)
    _write(args.out, text)
    where = shlex.quote(str(args.out)) if args.out is not None else "FILE"
    print(
        f"Review the file, then load it with: coderai codebook load {shlex.quote(codebook_name(codebook))} "
        f"{where}",
        file=sys.stderr,
    )
    return 0


def with_variables(
    current: list[VariableSpec], answer: Suggestions
) -> tuple[list[VariableSpec], dict[str, Comments]]:
    """The codebook with the proposed variables: a redefinition in place of the variable it redefines,
    new variables at the end. `comments`: the lines to write above each changed or new variable."""
    variables = list(current)
    comments: dict[str, Comments] = {}
    for proposal in answer.proposals:
        spec = proposal.variable()
        why = f"Why: {proposal.rationale}" if proposal.rationale else "No reason given."
        replaced = next(
            (i for i, v in enumerate(variables) if v.name == proposal.improves == spec.name), None
        )
        if replaced is not None:
            variables[replaced] = spec
            comments[spec.name] = [
                f"Co-pilot: a new definition of {spec.name}, in place of the current one.",
                why,
            ]
            continue
        variables.append(spec)
        lines = [f"Co-pilot proposal: {why}"]
        if proposal.improves:
            lines.append(f"Meant to improve {proposal.improves}, which is kept as it is above.")
        comments[spec.name] = lines
    return variables, comments


def with_changes(
    current: list[VariableSpec], name: str, answers: list[Suggestions]
) -> tuple[list[VariableSpec], dict[str, Comments]]:
    """The codebook with the proposed categories added to variable `name` and its instructions rewritten."""
    variables = list(current)
    position = next(i for i, variable in enumerate(variables) if variable.name == name)
    spec, lines = variables[position], []
    for answer in answers:
        if answer.kind == "categories" and answer.proposals:
            added = [proposal.category() for proposal in answer.proposals]
            spec = spec.model_copy(update={"categories": [*spec.categories, *added]})
            lines.append(f"Co-pilot: {_plural(len(added), 'new category', 'new categories')} at the end.")
            lines += [f"- {proposal.fields['value']}: {proposal.rationale}" for proposal in answer.proposals]
        elif answer.kind == "instructions" and answer.proposals:
            proposal = answer.proposals[0]
            spec = spec.model_copy(update={"instructions": proposal.fields["instructions"]})
            lines.append(f"Co-pilot: instructions rewritten. Why: {proposal.rationale or 'no reason given'}")
    variables[position] = VariableSpec.model_validate(spec.model_dump())
    return variables, {name: lines} if lines else {}


def fragment(
    codebook: Codebook,
    comments: dict[str, Comments],
    current: Codebook,
    answers: list[Suggestions],
    kind: str,
) -> str:
    """The codebook file: YAML with the reasons as comments above the variables they are about (JSON
    has no comments: there the reasons go to stderr)."""
    from coderai_desktop.projects.codebook_file import codebook_text

    if kind == "json":
        return codebook_text(codebook, "json")
    read = sorted({name for answer in answers for name in answer.documents})
    name = codebook_name(current)
    header = [
        f"The codebook of project {name} with the co-pilot's proposals"
        + (f" (from {', '.join(read)})." if read else "."),
        "This is the WHOLE codebook: loading it replaces the project's. Delete the proposals you do not want,",
        f"then load it: coderai codebook load {shlex.quote(name)} FILE",
    ]
    parts = [*_comment(header), "variables:"]
    for variable in codebook.variables:
        item = codebook_text(Codebook(variables=[variable]), "yaml").split("\n", 1)[1]
        if variable.name in comments:
            parts.append("")
            parts += _comment(comments[variable.name])
        parts.append(item.rstrip("\n"))
    return "\n".join(parts) + "\n"


def codebook_name(codebook: Codebook) -> str:
    return codebook.project.name if codebook.project is not None else "PROJECT"


def _target(name: str, codebook: Codebook) -> VariableSpec:
    wanted = name.strip()
    found = next((v for v in codebook.variables if v.name == wanted), None)
    found = found or next((v for v in codebook.variables if v.name.lower() == wanted.lower()), None)
    if found is None:
        names = ", ".join(variable.name for variable in codebook.variables) or "none yet"
        raise InvalidInputError(f"The codebook has no variable named {wanted!r} (its variables: {names}).")
    return found


NOUNS = {
    "variables": ("variable", "variables"),
    "categories": ("category", "categories"),
    "instructions": ("rewrite of the instructions", "rewrites of the instructions"),
}


def _report(answers: list[Suggestions]) -> None:
    for answer in answers:
        tokens = answer.usage.input_tokens + answer.usage.output_tokens
        read = f" after reading {', '.join(answer.documents)}" if answer.documents else ""
        proposed = _plural(len(answer.proposals), *NOUNS[answer.kind])
        print(f"Co-pilot: {proposed} proposed{read} ({tokens:,} tokens).", file=sys.stderr)
        for item in answer.dropped:
            print(f"  Left out {item.name}: {item.reason}", file=sys.stderr)


def _plural(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _comment(lines: list[str]) -> list[str]:
    """Comment lines: one line each, printable characters only (YAML refuses control characters)."""
    return ["# " + "".join(c for c in " ".join(line.split()) if c.isprintable()) for line in lines]


def _write(out: Path | None, text: str) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    from coderai_desktop.atomic_files import atomic_path

    with atomic_path(out) as temporary:
        temporary.write_text(text, encoding="utf-8")
    print(f"Saved the codebook with the proposals to {out}.", file=sys.stderr)
