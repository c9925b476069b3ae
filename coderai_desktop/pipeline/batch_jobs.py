"""What the job service needs of batch runs: refuse them where the provider has no Batch API, build their
runner, and cancel their remote batches. `poll_seconds` and `limits` are the app's (tests make them small)."""

from __future__ import annotations

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.batch_api import NO_BATCH_API, BatchAPI, supports_batches
from coderai_desktop.llm.client import LLMClient
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.engine import Database
from coderai_desktop.pipeline.batch_parts import PROVIDER_LIMITS, BatchParts, PartLimits
from coderai_desktop.pipeline.batch_run import POLL_SECONDS, BatchRunner
from coderai_desktop.pipeline.planning import RunSetup
from coderai_desktop.pipeline.runner import Progress

BATCH_SETTING = "batch"  # in a job's settings: it runs through the Batch API


def check_batches(settings: ProviderSettings) -> None:
    if not supports_batches(settings):
        raise InvalidInputError(NO_BATCH_API)


class BatchJobs:
    def __init__(self, database: Database, workspace_id: int, providers: ProviderService):
        self._database = database
        self._workspace_id = workspace_id
        self._providers = providers
        self.poll_seconds = POLL_SECONDS
        self.limits: PartLimits = PROVIDER_LIMITS

    async def runner(
        self,
        job_id: int,
        setup: RunSetup,
        client: LLMClient,
        documents: DocumentService,
        progress: Progress | None,
        heartbeat_seconds: float,
    ) -> BatchRunner:
        check_batches(setup.settings)
        return BatchRunner(
            self._database,
            self._workspace_id,
            job_id,
            setup,
            client,
            await self._api(setup.settings),
            documents,
            progress,
            heartbeat_seconds=heartbeat_seconds,
            poll_seconds=self.poll_seconds,
            limits=self.limits,
        )

    async def cancel(self, job_id: int, settings: ProviderSettings) -> int:
        """Cancel the job's parts still at the provider; how many there were."""
        api = await self._api(settings)
        try:
            return await BatchParts(self._database, self._workspace_id, job_id, api, self.limits).cancel()
        finally:
            await api.close()

    async def _api(self, settings: ProviderSettings) -> BatchAPI:
        return BatchAPI(settings, await self._providers.api_key(settings))
