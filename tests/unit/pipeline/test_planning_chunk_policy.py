"""How documents are cut for a model: only when they do not fit its context beside the largest prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.provider import ExtractionMode, ProviderSettings
from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.llm.prompts import entity_plan, extraction_plans
from coderai_desktop.pipeline.planning import CONTEXT_MARGIN, PromptRef, RunSetup, chunk_policy
from coderai_desktop.text_tokens import estimate_tokens
from tests.unit.pipeline.extraction_builders import spec

CONTEXT = ProjectContext(name="Plans")
VARIABLES = [spec(f"v{number}") for number in range(1, 4)]
PLANS = extraction_plans(CONTEXT, VARIABLES, ExtractionMode.GROUPED)


def app(tmp_path: Path, **fields) -> Settings:
    return Settings(data_dir=tmp_path, **fields)


def prompt_tokens() -> int:
    (plan,) = PLANS
    return estimate_tokens(plan.system_prompt) + estimate_tokens(plan.instruction) + plan.max_tokens


def test_the_room_beside_the_prompt_is_the_chunk_budget(tmp_path: Path) -> None:
    settings = ProviderSettings(context_tokens=8_000)

    policy = chunk_policy(PLANS, settings, app(tmp_path))

    assert policy == ChunkPolicy.fit(int(8_000 * (1 - CONTEXT_MARGIN)) - prompt_tokens())


def test_a_large_context_is_capped_by_the_app_budget(tmp_path: Path) -> None:
    policy = chunk_policy(
        PLANS, ProviderSettings(context_tokens=1_000_000), app(tmp_path, chunk_token_budget=50_000)
    )

    assert policy.budget == 50_000


def test_classic_chunking_ignores_the_context(tmp_path: Path) -> None:
    policy = chunk_policy(PLANS, ProviderSettings(context_tokens=2_000), app(tmp_path, chunking="classic"))

    assert policy == ChunkPolicy.classic()


def test_the_largest_prompt_of_the_run_decides(tmp_path: Path) -> None:
    entity = entity_plan(CONTEXT.model_copy(update={"unit_of_observation": "ENTITY"}), VARIABLES)
    settings = ProviderSettings(context_tokens=16_000)

    with_entities = chunk_policy([*PLANS, entity], settings, app(tmp_path))

    assert with_entities.budget < chunk_policy(PLANS, settings, app(tmp_path)).budget


def test_a_context_too_small_for_the_prompt_says_what_to_do(tmp_path: Path) -> None:
    many = [spec(f"v{number}", instructions="Read the whole report carefully. " * 20) for number in range(20)]
    plans = extraction_plans(CONTEXT, many, ExtractionMode.GROUPED)

    with pytest.raises(InvalidInputError) as raised:
        chunk_policy(plans, ProviderSettings(context_tokens=4_000), app(tmp_path))

    message = str(raised.value)
    assert "The model's context (4000 tokens) leaves no room for documents" in message
    assert "Raise the context setting, or split the codebook." in message


def test_the_prompt_key_names_the_mode_and_every_prompt_version_in_a_stable_order(tmp_path: Path) -> None:
    setup = RunSetup(
        project_id=1,
        context=CONTEXT,
        variables=VARIABLES,
        variable_ids={"v1": 1, "v2": 2, "v3": 3},
        plans=PLANS,
        entity_plan=None,
        prompts={"grouped:2": PromptRef(12, 1), "grouped:1": PromptRef(30, 4)},
        settings=ProviderSettings(),
        policy=ChunkPolicy.fit(1000),
    )

    assert setup.prompt_key == "grouped:30,12"
    assert setup.all_plans == PLANS
