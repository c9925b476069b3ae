"""Prompt versions: the prompts generated from the codebook are stored, and a change to a variable, the
project context or the model makes a new active version; old versions are kept forever."""

from __future__ import annotations

from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import PromptReason
from coderai_desktop.llm.prompts import CallPlan
from coderai_desktop.persistence.repositories.prompts import PromptRepository
from coderai_desktop.persistence.tables import Prompt

CODEBOOK_HEADING = "Codebook:"
# A new version with the codebook unchanged: a new version of the app words the call around it differently.
LAYOUT_CHANGED = "the same codebook, in this version of the app's prompt layout and answer schema"


def sync_prompts(
    session: Session,
    workspace_id: int,
    project_id: int,
    plans: list[CallPlan],
    model: str,
    variable_ids: dict[str, int],
    account_id: int | None = None,
    reason: PromptReason | None = None,
    reason_detail: str | None = None,
) -> dict[str, Prompt]:
    """The active prompt of every plan, making a new version where the generated prompt changed (for
    `reason`, when given, e.g. a refinement the researcher chose)."""
    prompts = PromptRepository(session, workspace_id)
    active: dict[str, Prompt] = {}
    for plan in plans:
        plan_model = plan.model or model  # a variable's own model, or the project's
        current = prompts.active(project_id, plan.scope_key)
        if current is not None and _same(current, plan, plan_model):
            active[plan.scope_key] = current
            continue
        if current is not None:
            current.is_active = False
            session.flush()  # one active version per scope, enforced by a unique index
        version = Prompt(
            project_id=project_id,
            variable_id=variable_ids.get(plan.variable_names[0]) if len(plan.variables) == 1 else None,
            scope_key=plan.scope_key,
            variable_names=plan.variable_names,
            version=(current.version + 1)
            if current is not None
            else prompts.next_version(project_id, plan.scope_key),
            system_prompt=plan.system_prompt,
            message_template=plan.message_template(),
            model=plan_model,
            temperature=plan.temperature,
            max_tokens=plan.max_tokens,
            response_schema=plan.schema,
            is_active=True,
            reason=reason or _reason(current, plan),
            reason_detail=reason_detail or _layout_only(current, plan, plan_model),
            account_id=account_id,
        )
        active[plan.scope_key] = prompts.add(version)
    return active


def _same(prompt: Prompt, plan: CallPlan, model: str) -> bool:
    return (
        prompt.system_prompt == plan.system_prompt
        and prompt.message_template == plan.message_template()
        and prompt.model == model
        and prompt.temperature == plan.temperature
        and prompt.max_tokens == plan.max_tokens
        and prompt.response_schema == plan.schema
    )


def _layout_only(previous: Prompt | None, plan: CallPlan, model: str) -> str | None:
    """Why a version exists when the codebook, model and settings are as before: the app sends the same
    definitions in another form (this version's prompt layout or answer schema)."""
    if previous is None or previous.system_prompt != plan.system_prompt or previous.model != model:
        return None
    if (previous.temperature, previous.max_tokens) != (plan.temperature, plan.max_tokens):
        return None
    return LAYOUT_CHANGED


def _reason(previous: Prompt | None, plan: CallPlan) -> PromptReason:
    if previous is None:
        return PromptReason.CREATED
    context = previous.system_prompt.partition(CODEBOOK_HEADING)[0]
    if context != plan.system_prompt.partition(CODEBOOK_HEADING)[0]:
        return PromptReason.CONTEXT_CHANGED
    return PromptReason.EDITED
