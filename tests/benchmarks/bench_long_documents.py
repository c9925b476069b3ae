"""Long documents in a small context, and entity projects: what chunk skipping and entity groups save.

Prints, for the app's runs against a fake OpenAI-compatible server in another process (JSON mode, as a
local model server is used; packing off), before and after:
  1. long contract-like documents with an 8,000-token context: prompt tokens per document as a ratio to
     the text's own tokens (target 1.6x; the issue measured 2.0x before), calls per document, accuracy;
     for single-valued terms all in the first sections, for the governing law in the last section, and
     for the same codebook plus one variable that keeps every value;
  2. an entity project (NDAs naming 2-3 parties, and one report naming 30 organisations): calls and prompt
     tokens per document, and accuracy.

"Before" is the previous path, kept only here: every chunk asked for every variable, every entity coded
in its own call (the extractor with its two decisions overridden).

Run: python tests/benchmarks/bench_long_documents.py [--contracts 20] [--sections 24] [--ndas 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import Category, ProjectContext, VariableSpec
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.provider import ProviderKind, ProviderSettings
from coderai_desktop.pipeline import runner
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentInput, DocumentResult
from coderai_desktop.text_tokens import estimate_tokens
from tests.benchmarks.bench_pipeline import bench_workspace, fake_server
from tests.fakes import documents

RATIO_TARGET = 1.6
SMALL_CONTEXT = 8_000
CITIES = ["Oslo", "Bergen", "Lyon", "Porto", "Gdansk", "Tartu", "Graz", "Malmo", "Ghent", "Turku"]
TYPES = ["supply", "services", "licence", "lease"]


def contract_codebook(*, keep_all: bool) -> list[VariableSpec]:
    def text(name: str, about: str, **fields: Any) -> VariableSpec:
        return VariableSpec(name=name, type="text", instructions=f"The contract's {about}.", **fields)

    specs = [
        text("title", "title"),
        text("party_a", "first party"),
        text("party_b", "second party"),
        VariableSpec(name="effective_date", type="date", instructions="When the contract takes effect."),
        VariableSpec(
            name="contract_type",
            type="category",
            instructions="The kind of contract.",
            categories=[Category(value=kind, definition=f"A {kind} contract.") for kind in TYPES],
        ),
        VariableSpec(name="value", type="number", instructions="The contract's total value in euros."),
        VariableSpec(name="term_months", type="number", instructions="The contract's term in months."),
        VariableSpec(name="auto_renewal", type="boolean", instructions="Whether the contract renews itself."),
        text("governing_law", "governing law"),
    ]
    if keep_all:
        specs.append(text("obligations", "obligations of the parties, each", if_multiple_values="all"))
    return specs


def contract(seed: int, sections: int, *, keep_all: bool, law_early: bool) -> tuple[str, dict[str, Any]]:
    """A contract of `sections` sections of prose with its terms where contracts have them: the parties,
    date and kind in the preamble, money and term early, obligations throughout, the law at the end (or,
    `law_early`, in the third section) and the parties again in the signature block."""
    pick = random.Random(seed)
    expected: dict[str, Any] = {
        "title": f"Agreement {seed:03d}",
        "party_a": f"Northwind {seed} Ltd",
        "party_b": f"{pick.choice(CITIES)} Works {seed}",
        "effective_date": f"2022-{1 + seed % 12:02d}-15",
        "contract_type": pick.choice(TYPES),
        "value": 10_000 * (1 + seed % 50),
        "term_months": 12 * (1 + seed % 5),
        "auto_renewal": bool(seed % 2),
        "governing_law": f"the law of {pick.choice(CITIES)}",
    }
    lines = {
        name: f"{name}: {value if not isinstance(value, bool) else 'yes' if value else 'no'}"
        for name, value in expected.items()
    }
    obligations = [f"Deliver batch {seed}-{number}" for number in range(1, 5)]
    placed: dict[int, list[str]] = {
        0: [lines[name] for name in ("title", "party_a", "party_b", "effective_date", "contract_type")],
        1: [lines["value"]],
        2: [lines["term_months"], lines["auto_renewal"], *([lines["governing_law"]] if law_early else [])],
        sections - 1: [*([] if law_early else [lines["governing_law"]]), lines["party_a"], lines["party_b"]],
    }
    if keep_all:
        expected["obligations"] = obligations
        for number, obligation in enumerate(obligations):
            placed.setdefault(3 + number * max(1, (sections - 4) // 4), []).append(
                f"obligations: {obligation}"
            )
    parts = []
    for section in range(sections):
        parts += [
            f"Section {section + 1}",
            *placed.get(section, []),
            documents.prose(seed * 100 + section, 450),
        ]
    return "\n\n".join(parts) + "\n", expected


NDA_CONTEXT = ProjectContext(
    name="Parties",
    description="The parties to non-disclosure agreements, and donors in conference reports.",
    unit_of_observation="ENTITY",
    entity_identification_pattern="each organisation named on an 'entity:' line",
)
PARTY_CODEBOOK = [
    VariableSpec(name="city", type="text", instructions="Where the organisation is based."),
    VariableSpec(name="signatory", type="text", instructions="Who signs for the organisation."),
    VariableSpec(
        name="role",
        type="category",
        instructions="The organisation's role in the agreement.",
        categories=[
            Category(value=role, definition=f"The {role} party.")
            for role in ("discloser", "recipient", "donor")
        ],
    ),
    VariableSpec(name="amount", type="number", instructions="What the organisation pledges, in euros."),
]


def party(name: str, seed: int, role: str) -> tuple[list[str], dict[str, Any]]:
    values = {
        "city": CITIES[seed % len(CITIES)],
        "signatory": f"Officer {seed}",
        "role": role,
        "amount": None if role != "donor" else 1_000 * seed,
    }
    lines = [
        f"entity: {name}",
        *(f"[{name}] {key}: {value}" for key, value in values.items() if value is not None),
    ]
    return lines, values


def nda(seed: int) -> tuple[str, dict[str, dict[str, Any]]]:
    """A non-disclosure agreement between 2 or 3 parties, about 700 words."""
    names = [f"Party {seed}-{letter}" for letter in "ABC"[: 2 + seed % 2]]
    text, expected = [documents.prose(seed, 250)], {}
    for number, name in enumerate(names):
        lines, values = party(name, seed * 3 + number, "discloser" if number == 0 else "recipient")
        text += ["\n".join(lines), documents.prose(seed * 10 + number, 150)]
        expected[name] = values
    return "\n\n".join(text) + "\n", expected


def donor_report(count: int) -> tuple[str, dict[str, dict[str, Any]]]:
    text, expected = [documents.prose(999, 300)], {}
    for number in range(1, count + 1):
        lines, values = party(f"Donor Organisation {number:02d}", number, "donor")
        text += ["\n".join(lines), documents.prose(1_000 + number, 60)]
        expected[f"Donor Organisation {number:02d}"] = values
    return "\n\n".join(text) + "\n", expected


# --- Before and after ----------------------------------------------------------------------------------

CALLS: list[int] = []  # calls per coded document, of the run in progress


class After(DocumentExtractor):
    """The app's extractor, counting its calls per document."""

    async def extract(self, document: DocumentInput) -> DocumentResult:
        result = await super().extract(document)
        CALLS.append(result.calls)
        return result


class Before(After):
    """The previous path: every chunk asked for every variable, every entity coded in its own call."""

    def _open(self, plan: Any, answers: Any, grounder: Any) -> list[VariableSpec]:
        return list(plan.variables)

    def _group_size(self, *args: Any) -> int:
        return 1


@contextlib.contextmanager
def extractor(kind: type[DocumentExtractor]) -> Iterator[None]:
    """The job runner codes with `kind` for the time being."""
    CALLS.clear()
    runner.DocumentExtractor = kind  # type: ignore[misc]
    try:
        yield
    finally:
        runner.DocumentExtractor = DocumentExtractor  # type: ignore[misc]


@dataclass
class Figures:
    documents: int
    text_tokens: int
    tokens_in: int
    calls: int
    right: int
    cells: int

    @property
    def ratio(self) -> float:
        return self.tokens_in / self.text_tokens

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.tokens_in / self.documents:,.0f} prompt tokens per document = {self.ratio:.2f}x the "
            f"text, {self.calls / self.documents:.2f} calls per document, accuracy {self.right}/{self.cells} "
            f"({self.right / self.cells:.1%})"
        )


async def coded(
    context: AppContext,
    user: UserSession,
    name: str,
    project: ProjectContext,
    specs: list[VariableSpec],
    texts: dict[str, str],
    kind: type[DocumentExtractor],
    folder: Path,
) -> tuple[list[dict[str, Any]], Figures]:
    """A project of `texts` coded in full with `kind`: its table's records and the run's figures."""
    folder.mkdir()
    for file_name, text in texts.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    created = await context.projects(user).create_project(project.model_copy(update={"name": name}), specs)
    await context.documents(user).import_paths(created.id, [folder])
    jobs = context.jobs(user)
    with extractor(kind):
        done = await jobs.run((await jobs.start(created.id)).id)
    assert done.status is JobStatus.COMPLETED and done.documents_failed == 0, done
    records = (await context.exports(user).table(created.id)).records()
    text_tokens = sum(estimate_tokens(text) for text in texts.values())
    return records, Figures(len(texts), text_tokens, done.tokens_in, sum(CALLS), 0, 0)


def score(
    figures: Figures, records: list[dict[str, Any]], expected: dict[tuple[str, str | None], dict[str, Any]]
) -> Figures:
    """Cells whose coded value is the expected one (a list compared as a set)."""
    rows = {(record["document"], record.get("entity_text")): record for record in records}
    for key, values in expected.items():
        for name, value in values.items():
            got = rows.get(key, {}).get(name)
            same = set(got or []) == set(value) if isinstance(value, list) else got == value
            figures.right += same
            figures.cells += 1
    return figures


async def long_documents(
    context: AppContext, user: UserSession, args: argparse.Namespace, work: Path
) -> None:
    print(
        f"1. {args.contracts} contracts of {args.sections} sections (~{args.sections * 450} words), "
        f"{SMALL_CONTEXT:,}-token context (target {RATIO_TARGET}x the text's tokens):"
    )
    await use_server(context, user, args.base_url, context_tokens=SMALL_CONTEXT)
    for keep_all, law_early in ((False, True), (False, False), (True, False)):
        texts, expected = {}, {}
        for seed in range(1, args.contracts + 1):
            text, values = contract(seed, args.sections, keep_all=keep_all, law_early=law_early)
            texts[f"contract{seed:03d}.txt"] = text
            expected[(f"contract{seed:03d}.txt", None)] = values
        specs = contract_codebook(keep_all=keep_all)
        label = "one keeps every value" if keep_all else "none keeps every value"
        where = "all in the first sections" if law_early else "with the governing law in the last section"
        print(f"   {len(specs)} variables ({label}), single-valued terms {where}:")
        for kind in (Before, After):
            tag = f"contracts-{int(keep_all)}{int(law_early)}-{kind.__name__}"
            records, figures = await coded(
                context, user, f"Contracts {tag}", ProjectContext(name="c"), specs, texts, kind, work / tag
            )
            figures = score(figures, records, expected)
            verdict = "meets" if figures.ratio <= RATIO_TARGET else "MISSES"
            print(f"     {figures.line(kind.__name__.lower()):s} ({verdict} the target)")


async def entities(context: AppContext, user: UserSession, args: argparse.Namespace, work: Path) -> None:
    print(f"2. Entity project ({len(PARTY_CODEBOOK)} variables per entity, default context):")
    await use_server(context, user, args.base_url, context_tokens=ProviderSettings().context_tokens)
    ndas = {f"nda{seed:03d}.txt": nda(seed) for seed in range(1, args.ndas + 1)}
    corpora = {
        f"{args.ndas} NDAs with 2-3 parties": ndas,
        "a report naming 30 organisations": {"report.txt": donor_report(30)},
    }
    for label, corpus in corpora.items():
        texts = {name: text for name, (text, _values) in corpus.items()}
        expected = {
            (name, entity): values
            for name, (_text, by_entity) in corpus.items()
            for entity, values in by_entity.items()
        }
        print(f"   {label}:")
        for kind in (Before, After):
            tag = f"parties-{len(texts)}-{kind.__name__}"
            records, figures = await coded(
                context, user, f"Parties {tag}", NDA_CONTEXT, PARTY_CODEBOOK, texts, kind, work / tag
            )
            figures = score(figures, records, expected)
            print(f"     {figures.line(kind.__name__.lower())}")


async def use_server(context: AppContext, user: UserSession, base_url: str, *, context_tokens: int) -> None:
    settings = ProviderSettings(
        kind=ProviderKind.COMPATIBLE,
        base_url=base_url,
        model="fake-model",
        concurrency=8,
        request_timeout=60,
        context_tokens=context_tokens,
        pack_token_budget=0,  # this benchmark measures chunks and entities, not packing
    )
    await context.providers(user).save_workspace_settings(settings)


async def main(args: argparse.Namespace) -> None:
    async with bench_workspace() as (context, user, work):
        with fake_server(0.0) as base_url:
            args.base_url = base_url
            await long_documents(context, user, args, work)
            await entities(context, user, args, work)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=20)
    parser.add_argument("--sections", type=int, default=24, help="sections of ~450 words per contract")
    parser.add_argument("--ndas", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
