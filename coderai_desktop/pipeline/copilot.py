"""The codebook co-pilot: proposals of variables, categories, clearer instructions and the unit of
observation, read off the project's context and a few sample documents.

Each request is one structured call through the project's provider (like extraction: a JSON schema, the
client's retries and limits, the token budget). The sample documents travel as data in their own messages
(copilot_prompts); the answer is checked (copilot_proposals) and what fails is dropped with its reason.
Every request and its proposals are stored as the project's conversation, with what became of each.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import Codebook, ProjectContext, VariableSpec
from coderai_desktop.domain.enums import DocumentFormat, DocumentStatus, VariableType
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.ingest.formats import classify
from coderai_desktop.ingest.parsed import ReadFailure, ReadOptions
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.client import CallResult, Usage
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.copilot import COPILOT, RESEARCHER, CopilotRepository
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository, context_of
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.persistence.tables import CopilotMessage
from coderai_desktop.pipeline import copilot_prompts as prompts
from coderai_desktop.pipeline.copilot_prompts import (
    CATEGORIES,
    INSTRUCTIONS,
    UNIT,
    VARIABLES,
    SampleText,
)
from coderai_desktop.pipeline.copilot_proposals import (
    DECISIONS,
    EDITED,
    CopilotEntry,
    Dropped,
    Proposal,
    Rewrite,
    Suggestions,
    UnitSuggestion,
    checked_categories,
    checked_rewrite,
    checked_unit,
    checked_variables,
)
from coderai_desktop.text_tokens import estimate_tokens

logger = logging.getLogger(__name__)

DOCUMENT_TOKENS = 3000  # of each sample document: enough to see what it is about, cheap to send
MAX_SAMPLE = 10
CONTEXT_MARGIN = 0.1
WHOLE_FILE_POLICY = ChunkPolicy.fit(10**9)  # files read for the wizard are never cut into chunks
S = TypeVar("S", bound=Suggestions)


@dataclass(frozen=True)
class ReadyDocument:
    id: int
    file_name: str


@dataclass(frozen=True)
class _Project:
    id: int
    context: ProjectContext
    variables: list[VariableSpec]


class Copilot:
    def __init__(
        self,
        database: Database,
        user: UserSession,
        providers: ProviderService,
        documents: DocumentService,
        *,
        parsers: ParserPool | None = None,
        rng: random.Random | None = None,
    ):
        self._database = database
        self._user = user
        self._providers = providers
        self._documents = documents
        self._parsers = parsers
        self._random = rng or random.SystemRandom()

    # --- what the panel shows beside the conversation ------------------------------------------------

    async def codebook(self, project: ProjectRef) -> Codebook:
        found = await self._database.run(lambda s: self._project(s, project))
        return Codebook(project=found.context, variables=found.variables)

    async def ready_documents(self, project: ProjectRef) -> list[ReadyDocument]:
        def read(session: Session) -> list[ReadyDocument]:
            project_id = ProjectRepository(session, self._user.workspace_id).resolve(project).id
            rows = DocumentRepository(session, self._user.workspace_id).of_project(project_id)
            return [
                ReadyDocument(row.id, row.file_name) for row in rows if row.status is DocumentStatus.READY
            ]

        return await self._database.run(read)

    # --- requests ------------------------------------------------------------------------------------

    async def suggest_variables(
        self, project: ProjectRef, document_ids: list[int] | None = None, sample: int = 3
    ) -> Suggestions:
        """Variables the project needs that its codebook lacks (or a better definition of one it has)."""
        found = await self._database.run(lambda s: self._project(s, project))
        chosen = await self._samples(found.id, document_ids, sample)
        settings = await self._providers.settings(found.id)
        system = prompts.system_prompt(found.context, found.variables)
        result, samples = await self._ask(settings, VARIABLES, system, chosen, prompts.variables_request())
        proposals, dropped = checked_variables(_items(result, VARIABLES), found.variables)
        request = {"documents": _document_refs(chosen), "sample": None if document_ids else sample}
        return await self._store(
            Suggestions, found.id, VARIABLES, request, result, samples, proposals, dropped
        )

    async def suggest_variables_for(
        self,
        context: ProjectContext,
        texts: Sequence[str | SampleText],
        existing: list[VariableSpec] | None = None,
    ) -> Suggestions:
        """Variables for a project not yet created (the New Project wizard): from its context and sample
        texts, beside the variables it has so far. Uses the workspace's provider; stores nothing."""
        existing = existing or []
        samples = [
            text if isinstance(text, SampleText) else SampleText(f"text {number}", text)
            for number, text in enumerate(texts, 1)
        ]
        settings = await self._providers.settings()
        system = prompts.system_prompt(context, existing)
        request = prompts.variables_request(documents=bool(samples))
        result, shown = await self._ask(settings, VARIABLES, system, samples, request)
        proposals, dropped = checked_variables(_items(result, VARIABLES), existing)
        names = [sample.name for sample in shown]
        return Suggestions(VARIABLES, None, proposals, dropped, result.usage, names)

    async def suggest_categories(
        self,
        project: ProjectRef,
        variable: str,
        document_ids: list[int] | None = None,
        sample: int = 3,
    ) -> Suggestions:
        """Categories a category variable is missing, each with a definition."""
        found = await self._database.run(lambda s: self._project(s, project))
        spec = _variable(found, variable)
        if spec.type is not VariableType.CATEGORY:
            raise InvalidInputError(
                f"{spec.name} is a {spec.type.lower()} variable: categories belong to category variables. "
                "Change its type to category first, or ask for clearer instructions instead."
            )
        chosen = await self._samples(found.id, document_ids, sample)
        settings = await self._providers.settings(found.id)
        system = prompts.system_prompt(found.context, found.variables)
        result, samples = await self._ask(
            settings, CATEGORIES, system, chosen, prompts.categories_request(spec)
        )
        proposals, dropped = checked_categories(_items(result, CATEGORIES), spec)
        request = {
            "variable": spec.name,
            "documents": _document_refs(chosen),
            "sample": None if document_ids else sample,
        }
        return await self._store(
            Suggestions, found.id, CATEGORIES, request, result, samples, proposals, dropped, spec.name
        )

    async def rewrite_instructions(self, project: ProjectRef, variable: str) -> Rewrite:
        """More precise instructions for a variable, and why."""
        found = await self._database.run(lambda s: self._project(s, project))
        spec = _variable(found, variable)
        settings = await self._providers.settings(found.id)
        system = prompts.system_prompt(found.context, found.variables)
        result, samples = await self._ask(
            settings, INSTRUCTIONS, system, [], prompts.instructions_request(spec)
        )
        proposals, dropped = checked_rewrite(result.data, spec)
        request = {"variable": spec.name}
        return await self._store(
            Rewrite, found.id, INSTRUCTIONS, request, result, samples, proposals, dropped, spec.name
        )

    async def suggest_unit(
        self, project: ProjectRef, document_ids: list[int] | None = None, sample: int = 3
    ) -> UnitSuggestion:
        """Whether one row of the dataset should be a document or an entity (with its pattern), and why."""
        found = await self._database.run(lambda s: self._project(s, project))
        chosen = await self._samples(found.id, document_ids, sample)
        settings = await self._providers.settings(found.id)
        system = prompts.system_prompt(found.context, found.variables)
        result, samples = await self._ask(settings, UNIT, system, chosen, prompts.unit_request())
        proposals, dropped = checked_unit(result.data)
        request = {"documents": _document_refs(chosen), "sample": None if document_ids else sample}
        return await self._store(UnitSuggestion, found.id, UNIT, request, result, samples, proposals, dropped)

    # --- the conversation ----------------------------------------------------------------------------

    async def conversation(self, project: ProjectRef) -> list[CopilotEntry]:
        """Every request and answer of the project, oldest first."""

        def read(session: Session) -> list[CopilotEntry]:
            project_id = ProjectRepository(session, self._user.workspace_id).resolve(project).id
            return [_entry(row) for row in self._messages(session).of_project(project_id)]

        return await self._database.run(read)

    async def record_decision(
        self,
        project: ProjectRef,
        message_id: int,
        index: int,
        decision: str,
        fields: dict[str, Any] | None = None,
    ) -> CopilotEntry:
        """What became of proposal `index` of a stored answer: accepted, edited (then accepted, as
        `fields`) or rejected."""
        if decision not in DECISIONS:
            raise InvalidInputError(f"A decision is one of {', '.join(DECISIONS)}, not {decision!r}.")

        def update(session: Session) -> CopilotEntry:
            project_id = ProjectRepository(session, self._user.workspace_id).resolve(project).id
            messages = self._messages(session)
            row = messages.of_project_message(project_id, message_id)
            proposals = list(row.content.get("proposals") or [])
            if row.role != COPILOT or not 0 <= index < len(proposals):
                raise InvalidInputError(f"Co-pilot message {message_id} has no proposal {index}.")
            changed = {**proposals[index], "status": decision}
            if decision == EDITED and fields is not None:
                changed["accepted_fields"] = fields
            proposals[index] = changed
            messages.set_content(row, {**row.content, "proposals": proposals})
            return _entry(row)

        return await self._database.run(update)

    # --- files for the wizard ------------------------------------------------------------------------

    async def read_files(self, paths: Sequence[Path]) -> list[SampleText]:
        """The text of files not imported anywhere (the wizard's sample files); a file that cannot be read
        is refused with the reason."""
        if self._parsers is None:
            raise InvalidInputError("Reading files is not available here; describe the project instead.")
        samples: list[SampleText] = []
        for path in paths:
            kind = classify(path)
            if not isinstance(kind, DocumentFormat):  # the reason it is not read
                raise InvalidInputError(f"{path.name}: {kind}.")
            try:
                outputs = await self._parsers.parse(
                    str(path), kind, ReadOptions(ocr_enabled=False), WHOLE_FILE_POLICY
                )
            except ReadFailure as failure:
                raise InvalidInputError(f"{path.name} cannot be read: {failure.message}") from None
            text = "\n\n".join(output.document.text for output in outputs if output.document.text.strip())
            if not text.strip():
                raise InvalidInputError(f"{path.name} has no text to read (a scan needs OCR: import it).")
            samples.append(SampleText(path.name, text))
        return samples

    # --- the call --------------------------------------------------------------------------------------

    async def _ask(
        self, settings: ProviderSettings, kind: str, system: str, samples: list[SampleText], request: str
    ) -> tuple[CallResult, list[SampleText]]:
        schema = prompts.SCHEMAS[kind]
        max_tokens = prompts.MAX_TOKENS[kind]
        strict = settings.uses_strict_schema
        shown = _fitted(samples, settings, system, request, max_tokens)
        sent = prompts.messages(system, shown, request, schema, strict=strict)
        needed = sum(estimate_tokens(message["content"]) for message in sent) + max_tokens
        if settings.token_budget is not None and needed > settings.token_budget:
            raise InvalidInputError(
                f"This request would need about {needed:,} tokens (the documents, the prompt and room for the "
                f"answer), more than the token budget of {settings.token_budget:,}. Choose fewer documents, or "
                "raise the budget in the provider settings."
            )
        client = await self._providers.client(settings)
        result = await client.structured(sent, schema, temperature=prompts.TEMPERATURE, max_tokens=max_tokens)
        logger.info(
            "Co-pilot %s: %s documents, %s tokens in, %s out",
            kind,
            len(shown),
            result.usage.input_tokens,
            result.usage.output_tokens,
        )
        return result, shown

    async def _samples(
        self, project_id: int, document_ids: list[int] | None, sample: int
    ) -> list[SampleText]:
        """The chosen documents (ready ones of the project), or `sample` random ready ones."""

        def choose(session: Session) -> list[int]:
            rows = DocumentRepository(session, self._user.workspace_id).of_project(project_id)
            ready = [row.id for row in rows if row.status is DocumentStatus.READY]
            if document_ids:
                unknown = sorted(set(document_ids) - {row.id for row in rows})
                if unknown:
                    raise InvalidInputError(f"The project has no documents {', '.join(map(str, unknown))}.")
                if not_ready := sorted(set(document_ids) - set(ready)):
                    raise InvalidInputError(
                        f"Documents {', '.join(map(str, not_ready))} are not ready (failed or not read yet)."
                    )
                return list(dict.fromkeys(document_ids))[:MAX_SAMPLE]
            if not ready:
                raise InvalidInputError(
                    "The project has no ready documents: import a few first, so the co-pilot can read "
                    "examples of what will be coded."
                )
            if sample < 1:
                raise InvalidInputError("The co-pilot needs at least one sample document.")
            return sorted(self._random.sample(ready, min(sample, len(ready), MAX_SAMPLE)))

        chosen = await self._database.run(choose)
        texts = [await self._documents.document_text(document_id) for document_id in chosen]
        return [_Sample(text.file_name, text.text, document_id=text.id) for text in texts]

    async def _store(
        self,
        result_type: type[S],
        project_id: int,
        kind: str,
        request: dict[str, Any],
        result: CallResult,
        samples: list[SampleText],
        proposals: list[Proposal],
        dropped: list[Dropped],
        variable: str | None = None,
    ) -> S:
        """The request and the answer, stored as two turns of the conversation."""
        usage = {"input_tokens": result.usage.input_tokens, "output_tokens": result.usage.output_tokens}
        answer: dict[str, Any] = {
            "proposals": [proposal.as_content() for proposal in proposals],
            "dropped": [{"name": item.name, "reason": item.reason} for item in dropped],
            "usage": usage,
            "documents": _document_refs(samples),
        }
        if variable is not None:
            answer["variable"] = variable
        for item in dropped:
            logger.info("Co-pilot %s proposal %r dropped: %s", kind, item.name, item.reason)

        def store(session: Session) -> int:
            messages = self._messages(session)
            account = self._user.account_id
            asked = messages.add_message(project_id, RESEARCHER, kind, request, account)
            row = messages.add_message(project_id, COPILOT, kind, {**answer, "request_id": asked.id}, account)
            return row.id

        message_id = await self._database.run(store)
        names = [sample.name for sample in samples]
        return result_type(kind, message_id, proposals, dropped, result.usage, names, variable)

    # --- database work ----------------------------------------------------------------------------------

    def _messages(self, session: Session) -> CopilotRepository:
        return CopilotRepository(session, self._user.workspace_id)

    def _project(self, session: Session, ref: ProjectRef) -> _Project:
        project = ProjectRepository(session, self._user.workspace_id).resolve(ref)
        rows = VariableRepository(session, self._user.workspace_id).of_project(project.id)
        return _Project(project.id, context_of(project), [spec_of(row) for row in rows])


@dataclass(frozen=True)
class _Sample(SampleText):
    document_id: int | None = None


def _fitted(
    samples: list[SampleText], settings: ProviderSettings, system: str, request: str, max_tokens: int
) -> list[SampleText]:
    """Each document cut to its share: DOCUMENT_TOKENS, or less when the model's context is small."""
    if not samples:
        return []
    room = int(settings.context_tokens * (1 - CONTEXT_MARGIN)) - max_tokens
    room -= estimate_tokens(system) + estimate_tokens(request) + 100 * len(samples)
    share = max(200, min(DOCUMENT_TOKENS, room // len(samples)))
    fitted: list[SampleText] = []
    for sample in samples:
        text, cut = prompts.cut_to(sample.text, share)
        fitted.append(dataclasses.replace(sample, text=text, cut=cut or sample.cut))
    return fitted


def _items(result: CallResult, key: str) -> list[Any]:
    value = result.data.get(key)
    return value if isinstance(value, list) else []


def _variable(found: _Project, name: str) -> VariableSpec:
    spec = next((variable for variable in found.variables if variable.name == name), None)
    if spec is None:
        spec = next((v for v in found.variables if v.name.lower() == name.strip().lower()), None)
    if spec is None:
        names = ", ".join(variable.name for variable in found.variables) or "none yet"
        raise InvalidInputError(f"The codebook has no variable named {name!r} (its variables: {names}).")
    return spec


def _document_refs(samples: Sequence[SampleText]) -> list[dict[str, Any]]:
    return [
        {"id": sample.document_id if isinstance(sample, _Sample) else None, "name": sample.name}
        for sample in samples
    ]


def _entry(row: CopilotMessage) -> CopilotEntry:
    return CopilotEntry(row.id, row.role, row.kind, dict(row.content), row.created_at, row.account_id)


__all__ = [
    "Copilot",
    "CopilotEntry",
    "Dropped",
    "Proposal",
    "ReadyDocument",
    "Rewrite",
    "SampleText",
    "Suggestions",
    "UnitSuggestion",
    "Usage",
]
