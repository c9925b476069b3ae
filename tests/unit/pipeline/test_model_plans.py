"""A model per variable: variables of different models never share a call; the project's model keeps its
plans exactly as before."""

from __future__ import annotations

import dataclasses

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.provider import ExtractionMode, ProviderSettings
from coderai_desktop.llm.prompts import GROUP_SIZE, extraction_plans, system_prompt
from coderai_desktop.pipeline.planning import model_plans
from tests.unit.llm.specs import many, spec

CONTEXT = ProjectContext(name="Climate plans")
PROJECT_MODEL = "cheap-model"
SETTINGS = ProviderSettings(model=PROJECT_MODEL)


def test_without_own_models_the_plans_are_the_project_plans() -> None:
    variables = many(GROUP_SIZE + 3)

    assert model_plans(CONTEXT, variables, SETTINGS) == extraction_plans(CONTEXT, variables, SETTINGS.mode)


def test_variables_of_another_model_get_their_own_calls_with_the_whole_codebook() -> None:
    variables = [
        spec("city"),
        spec("budget", "number", model="strong-model"),
        spec("mayor"),
        spec("binding", "boolean", model=PROJECT_MODEL),  # the project's model named: no group of its own
        spec("summary", model="strong-model"),
    ]

    plans = model_plans(CONTEXT, variables, SETTINGS)

    assert [(plan.scope_key, plan.model, plan.variable_names) for plan in plans] == [
        ("grouped:1", None, ["city", "mayor", "binding"]),
        ("grouped:1@strong-model", "strong-model", ["budget", "summary"]),
    ]
    codebook = system_prompt(CONTEXT, variables)
    assert all(plan.system_prompt == codebook for plan in plans)  # one cacheable prefix for the run
    assert "budget" not in plans[0].instruction and "budget" not in plans[0].schema["properties"]
    assert set(plans[1].schema["properties"]) == {"budget", "summary"}


def test_per_variable_plans_keep_their_keys_and_carry_the_model() -> None:
    variables = [spec("city"), spec("budget", "number", model="strong-model")]
    settings = SETTINGS.model_copy(update={"mode": ExtractionMode.PER_VARIABLE})

    plans = model_plans(CONTEXT, variables, settings)

    assert [(plan.scope_key, plan.model) for plan in plans] == [
        ("per-variable:city", None),
        ("per-variable:budget", "strong-model"),
    ]
    plain = extraction_plans(CONTEXT, variables, settings.mode)
    assert plans == [plain[0], dataclasses.replace(plain[1], model="strong-model")]


def test_a_blank_model_is_the_project_model() -> None:
    assert spec("city", model="  ").model is None
    assert spec("city", model=" gpt-4o ").model == "gpt-4o"
