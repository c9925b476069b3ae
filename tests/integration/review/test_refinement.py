"""Prompt refinement end to end through the fake OpenAI server (refinement_fakes): corrections analysed, the
reviewed documents split (deterministic per seed, nothing held out ever reaches the refiner), proposals
checked, tested on the held-out documents where the right one really does better, and chosen as a new
prompt version "refined from feedback"; nothing changes without the choice. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.enums import FeedbackType, PromptReason
from coderai_desktop.domain.errors import ConflictError, InvalidInputError, NotFoundError
from coderai_desktop.domain.refinement import ErrorKind, RefinementStatus
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.tables import Prompt
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.refinement import RefinementService
from coderai_desktop.review.service import ReviewService
from tests.conftest import PASSWORD
from tests.fakes.openai_server import FakeOpenAI, default_responder, schema_of
from tests.integration.review.refinement_fakes import REFINED_RULE, responder, review_budgets
from tests.integration.runs.conftest import Corpus, MakeCorpus, on_each_backend

PLANS = 20


@pytest.fixture
async def reviewed(
    make_corpus: MakeCorpus, configure: object, jobs: JobService, reviews: ReviewService, server: FakeOpenAI
) -> Corpus:
    """Twenty plans coded by a sample run; every budget reviewed: ten corrected (the odd plans), ten
    confirmed."""
    server.responder = responder
    corpus = await make_corpus(PLANS)
    job = await jobs.run((await jobs.start(corpus.project_id, sample=PLANS, seed=1)).id)
    assert job.documents_processed == PLANS
    await review_budgets(reviews, corpus, sorted(corpus.ids))
    return corpus


@pytest.fixture
def refinement(
    context: AppContext,
    user: UserSession,
    jobs: JobService,
    providers: ProviderService,
    documents: DocumentService,
) -> RefinementService:
    return RefinementService(context.database, user, context.settings, jobs, providers, documents)


@on_each_backend
async def test_proposals_are_tested_on_held_out_documents_and_the_choice_makes_a_refined_version(
    refinement: RefinementService, reviewed: Corpus, server: FakeOpenAI, jobs: JobService, context: AppContext
) -> None:
    project = reviewed.project_id
    analysis = await refinement.analyse(project, "budget")
    assert len(analysis.items) == PLANS and len(analysis.errors) == PLANS // 2 and analysis.ready
    assert analysis.by_kind == {ErrorKind.WRONG_VALUE: PLANS // 2}

    server.reset()
    info = await refinement.propose(project, "budget", proposals=3, seed=7)
    split = info.split
    assert (len(split.refinement), len(split.held_out)) == (14, 6)
    held_out_names = {reviewed.name_of(document) for document in split.held_out}
    # Stratified: corrected and confirmed documents in both sets.
    assert {int(name[5:7]) % 2 for name in held_out_names} == {0, 1}
    # Nothing of a held-out document reached the refiner.
    (asked,) = server.requests
    sent = "\n".join(str(message["content"]) for message in asked["messages"])
    for name in held_out_names:
        assert f"Municipal plan {name}" not in sent
    assert info.status is RefinementStatus.PROPOSED and info.baseline is None
    # The third proposal changed nothing (dropped); the examples that named no shown document, or misquoted
    # one, are gone: the one left comes from the refinement set.
    assert [proposal.title for proposal in info.proposals] == ["Odd plans count double", "Say euros twice"]
    (example,) = info.proposals[0].changes.examples
    assert example.document_id in split.refinement and example.quote.startswith("budget: ")
    assert info.proposals[0].changes.category_definitions == {}
    assert (
        REFINED_RULE in info.proposals[0].prompt_after and REFINED_RULE not in info.proposals[0].prompt_before
    )

    # The same seed splits the same way.
    again = await refinement.propose(project, "budget", seed=7)
    assert again.split == split

    with pytest.raises(InvalidInputError, match="before choosing"):
        await refinement.choose(info.id, 0)

    estimate = await refinement.estimate(info.id)
    assert (estimate.documents, estimate.proposals, estimate.calls) == (6, 2, 12)
    server.reset()
    seen: list[tuple[int, int]] = []
    info = await refinement.evaluate(info.id, progress=lambda done, total: seen.append((done, total)))
    assert len(server.requests) == estimate.calls and seen[-1] == (12, 12)
    recoded = {reviewed.document_in(request) for request in server.requests}
    assert recoded == held_out_names  # only held-out documents were re-coded
    assert info.status is RefinementStatus.EVALUATED
    baseline, refined, other = info.baseline, info.proposals[0].result, info.proposals[1].result
    assert baseline is not None and refined is not None and other is not None
    assert (baseline.n, refined.n, other.n) == (6, 6, 6)
    assert refined.percent == 1.0 and refined.reliability == pytest.approx(1.0)
    assert baseline.percent == other.percent and baseline.percent is not None and baseline.percent < 1.0
    assert info.best == 0

    # Nothing changed yet: the prompt is the one before.
    setup = await jobs.setup(project)
    assert REFINED_RULE not in setup.plans[0].system_prompt

    chosen = await refinement.choose(info.id, 0)
    assert chosen.status is RefinementStatus.CHOSEN and chosen.chosen == 0 and chosen.prompt_versions
    setup = await jobs.setup(project)
    assert REFINED_RULE in setup.plans[0].system_prompt
    budget = next(spec for spec in setup.variables if spec.name == "budget")
    assert [example.document_id for example in budget.examples] == [example.document_id]
    versions = refinement_versions(context, project)
    assert versions[0][0] is PromptReason.REFINED_FROM_FEEDBACK and f"refinement #{info.id}" in versions[0][1]
    with pytest.raises(ConflictError, match="already decided"):
        await refinement.choose(info.id, 1)
    # The other refinement (same proposals) revises the variable as it was: refused now that it changed.
    with pytest.raises(ConflictError, match="changed after these proposals"):
        await refinement.evaluate(again.id)
    kept = await refinement.choose(again.id, None)
    assert kept.status is RefinementStatus.KEPT

    history = await refinement.history(project, "budget")
    assert [item.id for item in history] == [again.id, info.id]


def refinement_versions(context: AppContext, project: int) -> list[tuple[PromptReason, str]]:
    """The project's prompt versions, newest first: why each was made."""
    with context.database.transaction() as session:
        query = sa.select(Prompt).where(Prompt.project_id == project).order_by(Prompt.id.desc())
        return [(row.reason, row.reason_detail or "") for row in session.scalars(query)]


@on_each_backend
async def test_refinement_needs_corrections_and_documents_to_hold_out(
    refinement: RefinementService,
    make_corpus: MakeCorpus,
    configure: object,
    jobs: JobService,
    reviews: ReviewService,
    server: FakeOpenAI,
) -> None:
    server.responder = responder
    corpus = await make_corpus(4)
    await jobs.run((await jobs.start(corpus.project_id, sample=4, seed=1)).id)
    with pytest.raises(InvalidInputError, match="no corrected values to learn from"):
        await refinement.propose(corpus.project_id, "budget", seed=1)
    await review_budgets(reviews, corpus, ["plan-01.txt"])
    with pytest.raises(InvalidInputError, match="Too few reviewed documents"):
        await refinement.propose(corpus.project_id, "budget", seed=1)
    analysis = await refinement.analyse(corpus.project_id, "budget")
    assert len(analysis.errors) == 1 and not analysis.ready
    assert "1 of 1 reviewed values corrected" in analysis.summary()


FIRMS = ProjectContext(
    name="Firms",
    description="Companies in annual reports.",
    unit_of_observation="ENTITY",
    entity_identification_pattern="each company named on an 'entity:' line",
)
REVENUE = [VariableSpec(name="revenue", type="number", instructions="The company's revenue in millions.")]
GROUP_RULE = "Count the revenue of the whole group"


def entity_responder(request: dict) -> Any:
    """The model reads each firm's own line; with GROUP_RULE in the prompt it doubles ACME's (the researcher
    counts ACME's subsidiary too). The refiner proposes that rule with an example from a passage it saw."""
    schema = schema_of(request) or {}
    if "proposals" in schema.get("properties", {}):
        shown = "\n".join(str(m["content"]) for m in request["messages"] if m["role"] == "user")
        label, passage = re.findall(r"Passage of (R\d+):\n(.*?)(?:\n</document>|\Z)", shown, re.DOTALL)[0]
        line = next(line for line in passage.splitlines() if line.startswith("[ACME] revenue"))
        proposal = {
            "title": "Groups",
            "rationale": "ACME's subsidiary counts.",
            "instructions": f"The company's revenue in millions. {GROUP_RULE}.",
            "classification_rules": None,
            "category_definitions": [],
            "examples": [{"document": label, "quote": line, "value": "1", "explanation": "the group"}],
        }
        return {"proposals": [proposal]}
    answer = default_responder(request)
    system = " ".join(m["content"] for m in request["messages"] if m["role"] == "system")
    if GROUP_RULE not in system:
        return answer
    # The entities of a document are coded together (one object per entity), or one by one.
    coded = answer.get("entities") or [
        {"entity": request["messages"][-1]["content"].split("Entity: ")[-1], **answer}
    ]
    for entity in coded:
        if entity.get("entity") == "ACME" and "revenue" in entity:
            entity["revenue"]["value"] *= 2
    return answer


@on_each_backend
async def test_entity_units_are_refined_and_tested_by_name(
    refinement: RefinementService,
    make_corpus: MakeCorpus,
    configure: object,
    jobs: JobService,
    reviews: ReviewService,
    server: FakeOpenAI,
) -> None:
    server.responder = entity_responder
    reports = {
        f"report-{n:02d}.txt": f"Report {n}\n\nentity: ACME\nentity: Globex\n\n[ACME] revenue: {n + 1}\n"
        f"[Globex] revenue: {n + 20}\n"
        for n in range(10)
    }
    corpus = await make_corpus(0, project=FIRMS, variables=REVENUE, extra=reports)
    await jobs.run((await jobs.start(corpus.project_id, sample=10, seed=1)).id)
    for n, name in enumerate(sorted(reports)):
        acme = await reviews.find_value(corpus.project_id, name, "revenue", entity=0)
        await reviews.review(acme, FeedbackType.INCORRECT, 2 * (n + 1))
        await reviews.review(
            await reviews.find_value(corpus.project_id, name, "revenue", entity=1), FeedbackType.CORRECT
        )

    info = await refinement.propose(corpus.project_id, "revenue", seed=2, held_out_share=0.4)
    assert len(info.split.held_out) == 4 and len(info.errors) == 20
    info = await refinement.evaluate(info.id)
    baseline, result = info.baseline, info.proposals[0].result
    assert baseline is not None and result is not None
    assert (baseline.n, result.n, result.failed) == (8, 8, 0)  # both firms of each held-out report
    assert baseline.percent == 0.5 and result.percent == 1.0


@on_each_backend
async def test_another_workspace_cannot_see_or_decide_a_refinement(
    refinement: RefinementService, reviewed: Corpus, context: AppContext
) -> None:
    info = await refinement.propose(reviewed.project_id, "budget", seed=7)
    ben = await context.accounts.create_account("ben", PASSWORD)
    theirs = RefinementService(
        context.database,
        ben,
        context.settings,
        context.jobs(ben),
        context.providers(ben),
        context.documents(ben),
    )
    for attempt in (
        theirs.get(info.id),
        theirs.estimate(info.id),
        theirs.evaluate(info.id),
        theirs.choose(info.id, None),
    ):
        with pytest.raises(NotFoundError):
            await attempt
    with pytest.raises(NotFoundError):
        await theirs.analyse(reviewed.project_id, "budget")
    with pytest.raises(NotFoundError):
        await theirs.history(reviewed.project_id)
    assert (await refinement.get(info.id)).status is RefinementStatus.PROPOSED
