"""A disk that fills up mid-run (SQLite's own "database or disk is full", through a page limit on the real
file): the run stops calling the provider, says so in plain words, loses nothing and codes nothing twice
once space is freed and it is resumed."""

from __future__ import annotations

from collections import Counter

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.errors import StorageFullError
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.full_disk import DiskLimit
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import NAMES, Configure, MakeCorpus, extractions

DOCUMENTS = 8


async def test_a_full_disk_pauses_the_run_and_resuming_codes_each_document_once(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    corpus = await make_corpus(DOCUMENTS, filler="Background. " * 400)
    job = await jobs.start(corpus.project_id)
    with DiskLimit(context) as disk:
        disk.fill()
        with pytest.raises(StorageFullError, match="is full: the last change was not saved"):
            await jobs.run(job.id)

        sent_while_full = len(server.requests)
        assert sent_while_full <= 2 * 2, "the run stopped calling the provider (at most the calls in flight)"
        stopped = await jobs.get(job.id)
        assert stopped.documents_processed < DOCUMENTS
        assert [offered.id for offered in await jobs.interrupted()] == [job.id], "offered for resuming"

        disk.free()
        finished = await jobs.resume(job.id)

    assert (finished.status, finished.documents_processed, finished.documents_failed) == (
        JobStatus.COMPLETED,
        DOCUMENTS,
        0,
    )
    values = Counter((row.document_id, row.variable_id) for row in extractions(context, job.id))
    assert len(values) == DOCUMENTS * len(NAMES) and set(values.values()) == {1}
    assert len(server.requests) <= DOCUMENTS + sent_while_full, "only what could not be saved is sent again"
