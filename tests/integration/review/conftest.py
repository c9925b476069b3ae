"""Review tests on projects coded by real runs (the fake OpenAI server on 127.0.0.1, real databases); the
project, corpus and run fixtures are those of tests/integration/runs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.review.service import ReviewService
from tests.integration.runs import conftest as runs
from tests.integration.runs.conftest import Corpus, MakeCorpus

settings, server, configure, make_corpus = runs.settings, runs.server, runs.configure, runs.make_corpus
documents, providers, jobs, exports = runs.documents, runs.providers, runs.jobs, runs.exports
packing_off = runs.packing_off  # the `coderai` fixture's: each document in calls of its own


@dataclass(frozen=True)
class Sampled:
    corpus: Corpus
    job: int


@pytest.fixture
def reviews(context: AppContext, user: UserSession) -> ReviewService:
    return context.reviews(user)


@pytest.fixture
async def sampled(make_corpus: MakeCorpus, configure: object, jobs: JobService) -> Sampled:
    """Twelve plans coded by a sample run (every value right: the fake server reads them off the text)."""
    corpus = await make_corpus(12)
    job = await jobs.run((await jobs.start(corpus.project_id, sample=12, seed=1)).id)
    assert job.documents_processed == 12
    return Sampled(corpus, job.id)
