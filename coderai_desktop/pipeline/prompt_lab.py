"""The prompt lab: see what each call sends (and what it costs), try the prompts on one document without
storing anything, and compare prompt versions.

`render_preview` is the one renderer of a call's messages: `coderai prompt show` prints it, and the
Codebook page shows it.
"""

from __future__ import annotations

import contextlib
import difflib
import json
from dataclasses import dataclass
from datetime import datetime
from itertools import zip_longest
from typing import Any

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import DocumentStatus, ExtractionStatus, MatchStatus, PromptReason
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.prompts import CallPlan
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.repositories.prompts import PromptRepository
from coderai_desktop.persistence.tables import Prompt
from coderai_desktop.pipeline.documents import load_document
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentResult
from coderai_desktop.pipeline.jobs import JobService, PromptPreview
from coderai_desktop.text_tokens import estimate_tokens

REASON_WORDS = {
    PromptReason.CREATED: "created",
    PromptReason.EDITED: "edited",
    PromptReason.CONTEXT_CHANGED: "project context changed",
    PromptReason.REFINED_FROM_FEEDBACK: "refined from feedback",
}
FOUND = frozenset({MatchStatus.EXACT, MatchStatus.NORMALIZED, MatchStatus.FUZZY})
DiffRow = tuple[str, str, str]


def pretty_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False)


def render_preview(preview: PromptPreview, *, schema: bool = False) -> str:
    """One call as `coderai prompt show` prints it: a heading, each message under its role, and (`schema`)
    the JSON schema of the answer."""
    chunks = f", document in {preview.chunks} chunks" if preview.chunks > 1 else ""
    lines = [
        f"=== {preview.scope_key} (version {preview.version}): {', '.join(preview.variables) or 'entities'} — "
        f"{preview.model}, temperature {preview.temperature}, max_tokens {preview.max_tokens}{chunks}"
    ]
    for message in preview.messages:
        lines += [f"--- {message['role']} ---", message["content"]]
    if schema:
        lines += ["--- response schema ---", pretty_schema(preview.schema)]
    return "\n".join(lines)


def render_previews(previews: list[PromptPreview], *, schema: bool = False) -> str:
    """Every call, each followed by a blank line: exactly the output of `coderai prompt show`."""
    return "".join(f"{render_preview(preview, schema=schema)}\n\n" for preview in previews)


@dataclass(frozen=True)
class PreviewText:
    """One call of the plan, ready to read: its messages as `prompt show` prints them, its schema, and what
    it costs. `cost` assumes half the output budget is used (as the run estimate does); `cost_at_most`,
    all of it. Without a document, the token figures leave the document out (`with_document` False)."""

    scope_key: str
    version: int
    variables: list[str]
    model: str
    temperature: float
    text: str
    schema: str
    input_tokens: int
    max_tokens: int
    cost: float
    cost_at_most: float
    chunks: int
    with_document: bool


@dataclass(frozen=True)
class TestedValue:
    """One coded value of a trial: what a run would store, shown and then forgotten."""

    __test__ = False  # not a pytest test class

    variable: str
    value: Any
    confidence: float | None
    quote: str | None
    match: MatchStatus
    page: int | None
    status: ExtractionStatus
    notes: list[str]
    entity: str | None = None  # the entity the value belongs to (entity projects)

    @property
    def quote_found(self) -> bool:
        return self.match in FOUND

    @property
    def flagged(self) -> bool:
        return self.status in (ExtractionStatus.FLAGGED, ExtractionStatus.FAILED)


@dataclass(frozen=True)
class TestResult:
    """The values one document gets with the current prompts, and what the calls used. Nothing is stored."""

    __test__ = False  # not a pytest test class

    document_id: int
    file_name: str
    model: str
    values: list[TestedValue]
    calls: int
    input_tokens: int
    output_tokens: int
    cost: float
    entities: list[str]


@dataclass(frozen=True)
class PromptVersionInfo:
    id: int
    scope_key: str
    version: int
    variables: list[str]
    reason: PromptReason
    reason_detail: str | None
    created_at: datetime
    author: str | None
    model: str
    temperature: float
    max_tokens: int
    is_active: bool
    system_prompt: str
    message_template: str

    @property
    def reason_words(self) -> str:
        return REASON_WORDS.get(self.reason, self.reason.lower().replace("_", " "))

    @property
    def text(self) -> str:
        """The whole prompt: the system prompt, then the user messages with {document} standing for it."""
        return f"--- system ---\n{self.system_prompt}\n--- user ---\n{self.message_template}"


def prompt_diff(old: PromptVersionInfo, new: PromptVersionInfo) -> list[DiffRow]:
    """Side-by-side rows (tag, old line, new line); tag is "equal", "replace", "delete" or "insert"."""
    return side_by_side(old.text.splitlines(), new.text.splitlines())


def side_by_side(left: list[str], right: list[str]) -> list[DiffRow]:
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for old, new in zip_longest(left[i1:i2], right[j1:j2]):
            if old is None:
                rows.append(("insert", "", new))
            elif new is None:
                rows.append(("delete", old, ""))
            else:
                rows.append((tag, old, new))  # "equal" or "replace": both sides have lines
    return rows


class PromptLab:
    def __init__(
        self,
        database: Database,
        user: UserSession,
        jobs: JobService,
        providers: ProviderService,
        documents: DocumentService,
    ):
        self._database = database
        self._user = user
        self._jobs = jobs
        self._providers = providers
        self._documents = documents

    async def preview_text(
        self, project: ProjectRef, variable: str | None = None, document_id: int | None = None
    ) -> list[PreviewText]:
        """Each call that codes `variable` (every call), with `document_id`'s first chunk or a placeholder."""
        previews = await self._jobs.preview(project, variable, document_id)
        settings = await self._providers.settings(project)
        return [_preview_text(preview, settings, document_id is not None) for preview in previews]

    async def test_on_document(
        self, project: ProjectRef, document_id: int, variable: str | None = None
    ) -> TestResult:
        """Code one document with the current prompts (the calls that code `variable`, or all of them)
        through the configured provider, as a run would, and store nothing: no job, no values."""
        setup = await self._jobs.setup(project)
        await self._database.run(lambda s: self._check_document(s, setup.project_id, document_id))
        plans = _plans_for(setup.plans, variable)
        names = {name for plan in plans for name in plan.variable_names}
        variables = [spec for spec in setup.variables if spec.name in names]
        client = await self._providers.client(setup.settings)
        document = await load_document(self._documents, document_id, setup.policy)
        extractor = DocumentExtractor(client, setup.context, variables, plans, setup.entity_plan)
        result = await extractor.extract(document)
        return _test_result(document_id, document.file_name, setup.settings, result)

    async def prompt_versions(
        self, project: ProjectRef, scope_key: str | None = None, *, sync: bool = True
    ) -> list[PromptVersionInfo]:
        """Every version of the project's prompts (of one scope), newest first. With `sync`, the prompts are
        first brought up to date with the codebook (as a preview or a run would), when they can be."""
        if sync:  # (no variables yet, a context too small: the history is there all the same)
            with contextlib.suppress(InvalidInputError):
                await self._jobs.setup(project)

        def read(session: Session) -> list[PromptVersionInfo]:
            project_id = ProjectRepository(session, self._user.workspace_id).resolve(project).id
            rows = PromptRepository(session, self._user.workspace_id).history(project_id, scope_key)
            return [_version_info(prompt, author) for prompt, author in rows]

        return await self._database.run(read)

    def _check_document(self, session: Session, project_id: int, document_id: int) -> None:
        document = DocumentRepository(session, self._user.workspace_id).get(document_id)
        if document is None or document.project_id != project_id:
            raise InvalidInputError(f"The project has no document {document_id}.")
        if document.status is not DocumentStatus.READY:
            raise InvalidInputError(
                f"{document.file_name} is not ready (failed or not read yet): choose another document."
            )


def _plans_for(plans: list[CallPlan], variable: str | None) -> list[CallPlan]:
    if variable is None:
        return plans
    chosen = [plan for plan in plans if variable in plan.variable_names]
    if not chosen:
        raise InvalidInputError(f"The codebook has no variable named {variable!r}.")
    return chosen


def _preview_text(preview: PromptPreview, settings: ProviderSettings, with_document: bool) -> PreviewText:
    sent = sum(estimate_tokens(message["content"]) for message in preview.messages)
    if settings.uses_strict_schema:  # the schema travels beside the messages, and is read all the same
        sent += estimate_tokens(json.dumps(preview.schema, ensure_ascii=False))
    return PreviewText(
        scope_key=preview.scope_key,
        version=preview.version,
        variables=preview.variables,
        model=preview.model,
        temperature=preview.temperature,
        text=render_preview(preview),
        schema=pretty_schema(preview.schema),
        input_tokens=sent,
        max_tokens=preview.max_tokens,
        cost=settings.cost(sent, preview.max_tokens // 2),
        cost_at_most=settings.cost(sent, preview.max_tokens),
        chunks=preview.chunks,
        with_document=with_document,
    )


def _test_result(
    document_id: int, file_name: str, settings: ProviderSettings, result: DocumentResult
) -> TestResult:
    values = [
        TestedValue(
            variable=coded.variable,
            value=coded.value,
            confidence=coded.confidence,
            quote=coded.evidence.quote,
            match=coded.evidence.status,
            page=coded.evidence.page,
            status=coded.status,
            notes=list(coded.notes),
            entity=unit.entity.name if unit.entity else None,
        )
        for unit in result.units
        for coded in unit.values
    ]
    usage = result.usage
    return TestResult(
        document_id=document_id,
        file_name=file_name,
        model=settings.model,
        values=values,
        calls=result.calls,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost=settings.cost(usage.input_tokens, usage.output_tokens, usage.cached_tokens),
        entities=[unit.entity.name for unit in result.units if unit.entity is not None],
    )


def _version_info(prompt: Prompt, author: str | None) -> PromptVersionInfo:
    return PromptVersionInfo(
        id=prompt.id,
        scope_key=prompt.scope_key,
        version=prompt.version,
        variables=list(prompt.variable_names or []),
        reason=prompt.reason,
        reason_detail=prompt.reason_detail,
        created_at=prompt.created_at,
        author=author,
        model=prompt.model,
        temperature=prompt.temperature,
        max_tokens=prompt.max_tokens,
        is_active=prompt.is_active,
        system_prompt=prompt.system_prompt,
        message_template=prompt.message_template,
    )
