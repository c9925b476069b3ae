"""Near-duplicate documents: found at import (and before a run, for documents imported earlier), coded once
with the values shared, unless the researcher asks for a copy to be coded separately; never linked across
projects or workspaces."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import JobItemStatus, JobStatus
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.export.model import ExportFormat
from coderai_desktop.export.service import ExportService
from coderai_desktop.ingest.near_duplicates import words
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.report import Outcome
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.persistence.tables import Document
from coderai_desktop.pipeline.jobs import JobService
from tests.conftest import PASSWORD
from tests.fakes.documents import text_file
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import Cli
from tests.integration.runs.conftest import (
    NAMES,
    VARIABLES,
    Configure,
    Corpus,
    MakeCorpus,
    extractions,
    item_statuses,
    on_each_backend,
    plan,
)

COPY = "plan-01 saved again.txt"


def spaced(text: str) -> str:
    """The same text as another file has it: other spacing around the colons and between lines."""
    return text.replace(": ", " :   ").replace("\n", "\n\n")


def sent_texts(server: FakeOpenAI) -> list[str]:
    return [
        "\n".join(str(message["content"]) for message in request["messages"]) for request in server.requests
    ]


def times_sent(server: FakeOpenAI, text: str) -> int:
    return sum(text.strip() in sent for sent in sent_texts(server))


async def import_later(
    corpus: Corpus, documents: DocumentService, context: AppContext, folder: Path, files: dict[str, str]
) -> None:
    """Import `files` into the corpus's project one by one, after its plans (the first one in is the
    original), and add them to the corpus."""
    for name, text in files.items():
        folder.mkdir(exist_ok=True)
        [outcome] = (
            await documents.import_paths(corpus.project_id, [text_file(folder, name, text)])
        ).outcomes
        assert outcome.document_id is not None
        corpus.ids[name] = outcome.document_id
        corpus.texts[name] = (await documents.document_text(outcome.document_id)).text


@pytest.fixture
async def corpus(
    make_corpus: MakeCorpus,
    configure: Configure,
    documents: DocumentService,
    context: AppContext,
    tmp_path: Path,
) -> Corpus:
    """Plans 1 to 3, then plan 1 again as COPY (instead of the four plans of conftest.py)."""
    corpus = await make_corpus(3)
    await import_later(corpus, documents, context, tmp_path / "copies", {COPY: spaced(plan(1).text())})
    return corpus


def links(context: AppContext, project_id: int) -> dict[str, str | None]:
    """file name -> the file name of the document it repeats."""
    with context.database.transaction() as session:
        rows = list(session.scalars(sa.select(Document).where(Document.project_id == project_id)))
    names = {row.id: row.file_name for row in rows}
    return {row.file_name: names.get(row.duplicate_of) if row.duplicate_of else None for row in rows}


@on_each_backend
async def test_an_import_finds_the_copy_and_says_so(
    corpus: Corpus, documents: DocumentService, context: AppContext, tmp_path: Path
) -> None:
    assert links(context, corpus.project_id) == {
        "plan-01.txt": None,
        "plan-02.txt": None,
        "plan-03.txt": None,
        COPY: "plan-01.txt",
    }
    folder = tmp_path / "later"
    folder.mkdir()
    text_file(folder, "plan-02 pasted.txt", spaced(plan(2).text()))
    report = await documents.import_paths(corpus.project_id, [folder])
    [outcome] = report.outcomes
    assert outcome.outcome is Outcome.IMPORTED and outcome.detail.endswith("; same text as plan-02.txt")
    [one, two] = await documents.find_duplicates(corpus.project_id)
    assert (one.original.file_name, [copy.file_name for copy in one.duplicates]) == ("plan-01.txt", [COPY])
    assert (two.original.file_name, [c.file_name for c in two.duplicates]) == (
        "plan-02.txt",
        ["plan-02 pasted.txt"],
    )


@on_each_backend
async def test_a_run_codes_the_original_once_and_the_copy_shares_its_values(
    corpus: Corpus,
    configure: Configure,
    jobs: JobService,
    exports: ExportService,
    server: FakeOpenAI,
    context: AppContext,
    user: UserSession,
    tmp_path: Path,
) -> None:
    original, copy = corpus.ids["plan-01.txt"], corpus.ids[COPY]
    job = await jobs.start(corpus.project_id)
    assert job.documents_total == 3, "the copy is not coded itself"
    done = await jobs.run(job.id)

    assert (done.status, done.documents_processed) == (JobStatus.COMPLETED, 3)
    assert times_sent(server, corpus.texts[COPY]) == 0
    for name in ("plan-01.txt", "plan-02.txt", "plan-03.txt"):
        assert times_sent(server, corpus.texts[name]) == 1, name
    rows = extractions(context, job.id)
    shared = {row.variable_id: row for row in rows if row.document_id == copy}
    own = {row.variable_id: row for row in rows if row.document_id == original}
    assert len(shared) == len(NAMES) and shared.keys() == own.keys()
    for variable_id, row in shared.items():
        assert row.value == own[variable_id].value
        assert row.shared_from_document_id == original and own[variable_id].shared_from_document_id is None
        assert (row.tokens_in, row.tokens_out) == (0, 0)
        if row.evidence_quote and row.char_start is not None:  # found again in the copy's own text
            assert words(corpus.texts[COPY][row.char_start : row.char_end]) == words(row.evidence_quote)
    assert item_statuses(context, job.id)[copy] is JobItemStatus.DONE

    table = {row["document"]: row for row in (await exports.table(corpus.project_id)).records()}
    assert {name: table[COPY][name] for name in NAMES} == plan(1).expected
    path = tmp_path / "long.csv"
    await exports.export(corpus.project_id, ExportFormat.CSV_LONG, path)
    with path.open(encoding="utf-8", newline="") as stream:
        long = list(csv.DictReader(stream))
    assert {row["shared_from"] for row in long if row["document"] == COPY} == {str(original)}
    assert {row["shared_from"] for row in long if row["document"] != COPY} == {""}
    title = next(
        row.id for row in shared.values() if row.evidence_quote and "Clean Air" in row.evidence_quote
    )
    evidence = await context.results(user).evidence(title)
    assert evidence.shared_from == "plan-01.txt" and evidence.document == COPY


@on_each_backend
async def test_a_full_run_after_the_shared_one_finds_nothing_left(
    corpus: Corpus, configure: Configure, jobs: JobService
) -> None:
    await jobs.run((await jobs.start(corpus.project_id)).id)
    with pytest.raises(InvalidInputError, match="already coded"):  # the copy counts as coded
        await jobs.start(corpus.project_id)


async def test_a_sample_draws_distinct_texts(
    corpus: Corpus, configure: Configure, jobs: JobService, context: AppContext
) -> None:
    """A sample of three is the three plans: the copy would only repeat plan 1 (and shrink the sample)."""
    for seed in range(8):
        job = await jobs.start(corpus.project_id, sample=3, seed=seed)
        assert job.documents_total == 3
        assert set(item_statuses(context, job.id)) == {corpus.ids[f"plan-0{n}.txt"] for n in (1, 2, 3)}
        await jobs.cancel(job.id)


async def test_a_copy_to_code_separately_is_coded_on_its_own(
    corpus: Corpus,
    configure: Configure,
    jobs: JobService,
    documents: DocumentService,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    copy = corpus.ids[COPY]
    assert await documents.set_code_separately([copy], True) == 1
    job = await jobs.start(corpus.project_id)
    assert job.documents_total == 4
    await jobs.run(job.id)
    assert times_sent(server, corpus.texts[COPY]) == 1
    rows = [row for row in extractions(context, job.id) if row.document_id == copy]
    assert len(rows) == len(NAMES) and all(row.shared_from_document_id is None for row in rows)
    [listed] = [d for d in await documents.list_documents(corpus.project_id) if d.id == copy]
    assert listed.duplicate_of == corpus.ids["plan-01.txt"] and not listed.shares_values


async def test_a_project_imported_before_signatures_is_signed_before_a_run(
    corpus: Corpus, configure: Configure, jobs: JobService, context: AppContext
) -> None:
    with context.database.transaction() as session:  # as the import of an earlier version left it
        session.execute(sa.update(Document).values(text_signature=None, duplicate_of=None))
    assert links(context, corpus.project_id)[COPY] is None
    job = await jobs.start(corpus.project_id)
    assert job.documents_total == 3
    assert links(context, corpus.project_id)[COPY] == "plan-01.txt"
    with context.database.transaction() as session:
        unsigned = session.scalar(sa.select(sa.func.count()).where(Document.text_signature.is_(None)))
    assert unsigned == 0


async def test_deleting_the_original_makes_the_next_copy_the_original(
    make_corpus: MakeCorpus, documents: DocumentService, context: AppContext, tmp_path: Path
) -> None:
    corpus = await make_corpus(2)
    copies = {COPY: spaced(plan(1).text()), "third.txt": spaced(spaced(plan(1).text()))}
    await import_later(corpus, documents, context, tmp_path / "copies", copies)
    assert links(context, corpus.project_id)["third.txt"] == "plan-01.txt"
    await documents.delete_documents([corpus.ids["plan-01.txt"]])
    assert links(context, corpus.project_id) == {"plan-02.txt": None, COPY: None, "third.txt": COPY}


async def test_copies_in_other_projects_and_workspaces_are_not_linked(
    make_corpus: MakeCorpus,
    context: AppContext,
    parser_pool: ParserPool,
    documents: DocumentService,
    tmp_path: Path,
) -> None:
    first = await make_corpus(2)
    second = await make_corpus(1, name="Another project", extra={COPY: spaced(plan(2).text())})
    assert links(context, second.project_id) == {"plan-01.txt": None, COPY: None}
    ben = await context.accounts.create_account("ben", PASSWORD)
    project = await context.projects(ben).create_project(ProjectContext(name="Ben's plans"), VARIABLES)
    bens = DocumentService(context.database, ben, context.settings, parser_pool)
    for name, text in ((COPY, spaced(plan(1).text())), ("plan-01.txt", plan(1).text())):
        await bens.import_paths(project.id, [text_file(tmp_path, name, text)])
    assert links(context, project.id) == {COPY: None, "plan-01.txt": COPY}, (
        "his own first copy is his original"
    )
    assert links(context, first.project_id) == {"plan-01.txt": None, "plan-02.txt": None}
    assert await documents.find_duplicates(first.project_id) == []


def test_the_cli_lists_the_groups(corpus: Corpus, coderai: Cli) -> None:
    listed = coderai("documents", "duplicates", f"#{corpus.project_id}")
    assert listed.code == 0, listed.err
    [header, row, _blank, total] = listed.out.splitlines()
    assert header.split() == ["ID", "NAME", "SAME", "TEXT", "AS", "ORIGINAL", "CODED"]
    assert row.split()[0] == str(corpus.ids[COPY]) and "plan-01.txt" in row and "values shared" in row
    assert (
        total == "Near-duplicates: 1 document repeating 1 other; 1 coded once with the document they repeat."
    )
    assert "same text as #" in coderai("documents", f"#{corpus.project_id}").out
    wrong = coderai("documents", "duplicates", "x", "y")
    assert wrong.code == 1 and "Usage: coderai documents PROJECT" in wrong.err


async def test_a_copy_imported_after_its_original_was_coded_shares_its_values(
    corpus: Corpus,
    configure: Configure,
    jobs: JobService,
    documents: DocumentService,
    server: FakeOpenAI,
    context: AppContext,
    tmp_path: Path,
) -> None:
    first = await jobs.run((await jobs.start(corpus.project_id)).id)
    late = "plan-02 pasted later.txt"
    await import_later(corpus, documents, context, tmp_path / "later", {late: spaced(plan(2).text())})
    with pytest.raises(InvalidInputError, match="already coded"):  # the new file repeats a coded one
        await jobs.estimate(corpus.project_id)
    calls = len(server.requests)

    with pytest.raises(InvalidInputError, match="already coded"):
        await jobs.start(corpus.project_id)

    assert len(server.requests) == calls, "not sent to the model"
    rows = [row for row in extractions(context, first.id) if row.document_id == corpus.ids[late]]
    assert len(rows) == len(NAMES)
    assert {row.shared_from_document_id for row in rows} == {corpus.ids["plan-02.txt"]}
    assert item_statuses(context, first.id)[corpus.ids[late]] is JobItemStatus.DONE
