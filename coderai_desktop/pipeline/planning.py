"""Everything a run of a project needs, decided once: the codebook, the calls, their prompt versions and
how documents are cut for the model's context."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy.orm import Session

from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.enums import PromptReason, UnitOfObservation
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.provider import ExtractionMode, ProviderSettings
from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.llm.prompts import CallPlan, entity_plan, extraction_plans, system_prompt
from coderai_desktop.persistence.repositories.projects import ProjectRepository, context_of
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.pipeline.prompt_versions import sync_prompts
from coderai_desktop.text_tokens import estimate_tokens

# Room left in the context for what the token estimate may miss.
CONTEXT_MARGIN = 0.1
SMALLEST_CHUNK = 500


@dataclass(frozen=True)
class PromptRef:
    id: int
    version: int


@dataclass(frozen=True)
class RunSetup:
    project_id: int
    context: ProjectContext
    variables: list[VariableSpec]
    variable_ids: dict[str, int]
    plans: list[CallPlan]
    entity_plan: CallPlan | None
    prompts: dict[str, PromptRef]
    settings: ProviderSettings
    policy: ChunkPolicy

    @property
    def prompt_key(self) -> str:
        """Which prompt versions code a document: documents coded with the same key are up to date."""
        return f"{self.settings.mode}:" + ",".join(str(self.prompts[key].id) for key in sorted(self.prompts))

    @property
    def all_plans(self) -> list[CallPlan]:
        return [*self.plans, *([self.entity_plan] if self.entity_plan else [])]


def prepare(
    session: Session,
    workspace_id: int,
    project_ref: ProjectRef,
    settings: ProviderSettings,
    app: Settings,
    account_id: int | None = None,
    reason: PromptReason | None = None,
    reason_detail: str | None = None,
) -> RunSetup:
    """The run's setup; the prompts' active versions are brought up to date with the codebook (a new version
    is written as `account_id`'s, for `reason` when given)."""
    project = ProjectRepository(session, workspace_id).resolve(project_ref)
    rows = VariableRepository(session, workspace_id).of_project(project.id)
    if not rows:
        raise InvalidInputError(f"Project '{project.name}' has no variables yet: define its codebook first.")
    context = context_of(project)
    variables = [spec_of(row) for row in rows]
    plans = model_plans(context, variables, settings)
    entities = (
        entity_plan(context, variables) if context.unit_of_observation is UnitOfObservation.ENTITY else None
    )
    variable_ids = {row.name: row.id for row in rows}
    all_plans = [*plans, *([entities] if entities else [])]
    prompts = sync_prompts(
        session,
        workspace_id,
        project.id,
        all_plans,
        settings.model,
        variable_ids,
        account_id,
        reason,
        reason_detail,
    )
    return RunSetup(
        project_id=project.id,
        context=context,
        variables=variables,
        variable_ids=variable_ids,
        plans=plans,
        entity_plan=entities,
        prompts={key: PromptRef(prompt.id, prompt.version) for key, prompt in prompts.items()},
        settings=settings,
        policy=chunk_policy(all_plans, settings, app),
    )


def model_plans(
    context: ProjectContext, variables: list[VariableSpec], settings: ProviderSettings
) -> list[CallPlan]:
    """The extraction plans, the variables of each model apart: variables with different models never share
    a call. The project's model keeps its scope keys (per variable, a variable keeps its own), so giving a
    variable its own model makes new prompt versions only for the plans whose variables or model changed."""
    by_model: dict[str | None, list[VariableSpec]] = {}
    for variable in variables:
        by_model.setdefault(own_model(variable, settings), []).append(variable)
    grouped = settings.mode is ExtractionMode.GROUPED
    codebook = system_prompt(context, variables) if grouped else ""
    plans = []
    for model, group in by_model.items():
        for plan in extraction_plans(context, group, settings.mode):
            if grouped:  # every grouped call shows the whole codebook; another model's groups have own keys
                key = plan.scope_key if model is None else f"{plan.scope_key}@{model}"
                plan = dataclasses.replace(plan, scope_key=key, system_prompt=codebook)
            plans.append(dataclasses.replace(plan, model=model))
    return plans


def own_model(variable: VariableSpec, settings: ProviderSettings) -> str | None:
    """The model that codes `variable` when it is not the project's (None: the project's)."""
    return variable.model if variable.model != settings.model else None


def chunk_policy(plans: list[CallPlan], settings: ProviderSettings, app: Settings) -> ChunkPolicy:
    """Cut a document only when it does not fit the model's context beside the largest prompt."""
    if app.chunking == "classic":
        return ChunkPolicy.classic()
    prompt = max(
        estimate_tokens(plan.system_prompt) + estimate_tokens(plan.instruction) + plan.max_tokens
        for plan in plans
    )
    room = int(settings.context_tokens * (1 - CONTEXT_MARGIN)) - prompt
    if room < SMALLEST_CHUNK:
        raise InvalidInputError(
            f"The model's context ({settings.context_tokens} tokens) leaves no room for documents beside the "
            f"codebook's prompt (about {prompt} tokens). Raise the context setting, or split the codebook."
        )
    return ChunkPolicy.fit(min(room, app.chunk_token_budget))
