"""Exports of projects coded by real runs (the fake OpenAI server on 127.0.0.1, real databases); the
project, corpus and run fixtures are those of tests/integration/runs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.export.service import ExportService
from coderai_desktop.persistence.tables import Extraction, ExtractionFeedback, Variable
from coderai_desktop.pipeline.jobs import JobService
from tests.integration.runs import conftest as runs
from tests.integration.runs.conftest import Corpus, MakeCorpus

# The fixtures of the runs tests, for these tests too.
settings, server, configure, make_corpus = runs.settings, runs.server, runs.configure, runs.make_corpus
documents, providers, jobs = runs.documents, runs.providers, runs.jobs


@pytest.fixture
def exports(context: AppContext, user: UserSession) -> ExportService:
    """The export service as the app builds it: with the review service's agreement."""
    return context.exports(user)


@dataclass(frozen=True)
class Coded:
    """Four plans: plan-01 and plan-02 coded by a sample run, plan-03 and plan-04 by the full run after it."""

    corpus: Corpus
    sample_job: int
    full_job: int


@pytest.fixture
async def coded(make_corpus: MakeCorpus, configure: object, jobs: JobService) -> Coded:
    corpus = await make_corpus(4)
    sampled = [corpus.ids["plan-01.txt"], corpus.ids["plan-02.txt"]]
    sample = await jobs.run((await jobs.start(corpus.project_id, document_ids=sampled)).id)
    full = await jobs.run((await jobs.start(corpus.project_id)).id)
    assert (sample.documents_processed, full.documents_processed) == (2, 2)
    return Coded(corpus, sample.id, full.id)


def review(
    context: AppContext,
    user: UserSession,
    document_id: int,
    variable: str,
    feedback: FeedbackType,
    corrected: object = None,
) -> None:
    """A researcher's review of the latest value of `variable` in a document, written as a row (the tests
    of review history go through the review service instead)."""
    with context.database.transaction() as session:
        extraction = session.scalars(
            sa.select(Extraction)
            .join(Variable, Variable.id == Extraction.variable_id)
            .where(Extraction.document_id == document_id, Variable.name == variable)
            .order_by(Extraction.job_id.desc())
        ).first()
        assert extraction is not None
        session.add(
            ExtractionFeedback(
                workspace_id=user.workspace_id,
                extraction_id=extraction.id,
                feedback_type=feedback,
                corrected_value=corrected,
                account_id=user.account_id,
            )
        )


def set_value(context: AppContext, document_id: int, variable: str, **columns: object) -> None:
    """Change what a run stored for a value (e.g. its confidence or status), to export edge cases."""
    with context.database.transaction() as session:
        variable_id = session.scalar(sa.select(Variable.id).where(Variable.name == variable))
        session.execute(
            sa.update(Extraction)
            .where(Extraction.document_id == document_id, Extraction.variable_id == variable_id)
            .values(**columns)
        )
