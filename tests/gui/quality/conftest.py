"""A project for the Quality page and the refinement dialog: twenty plans coded by a sample run through the
fake server, every budget reviewed (ten corrected), as tests/integration/review/refinement_fakes.py sets
it up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.provider import ProviderKind, ProviderSettings
from tests.fakes.openai_server import FakeOpenAI
from tests.gui.conftest import Run
from tests.integration.review.refinement_fakes import responder, review_budgets
from tests.integration.runs.conftest import VARIABLES, Corpus, plan

PLANS = 20


@pytest.fixture
def reviewed_plans(
    context: AppContext, alice: UserSession, run: Run[Any], llm_server: FakeOpenAI, tmp_path: Path
) -> Corpus:
    llm_server.responder = responder
    llm_server.latency = 0.0
    folder = tmp_path / "plans"
    folder.mkdir()
    plans = {item.name: item for item in (plan(number) for number in range(1, PLANS + 1))}
    for name, item in plans.items():
        (folder / name).write_text(item.text(), encoding="utf-8")
    created = run(
        context.projects(alice).create_project(
            ProjectContext(name="Clean air plans", description="Municipal clean air plans."), VARIABLES
        )
    )
    run(context.documents(alice).import_paths(created.id, [folder]))
    settings = ProviderSettings(
        kind=ProviderKind.COMPATIBLE, base_url=llm_server.base_url, model="fake-model", concurrency=2
    )
    run(context.providers(alice).save_workspace_settings(settings))
    run(context.secrets.set_api_key(alice.workspace_id, "compatible", "sk-test"))
    jobs = context.jobs(alice)
    job = run(jobs.start(created.id, sample=PLANS, seed=1))
    assert run(jobs.run(job.id)).documents_processed == PLANS
    corpus = Corpus(created.id, plans=plans)
    run(review_budgets(context.reviews(alice), corpus, sorted(plans)))
    return corpus
