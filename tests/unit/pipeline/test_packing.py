"""Which documents travel together in one call, and how a pack's expected tokens and usage are shared."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.domain.provider import DEFAULT_PACK_TOKENS, ExtractionMode, ProviderSettings
from coderai_desktop.ingest.chunking import ChunkPolicy, ChunkSpan
from coderai_desktop.llm.client import Usage
from coderai_desktop.llm.prompts import entity_plan, extraction_plans
from coderai_desktop.pipeline.extractor import DocumentInput
from coderai_desktop.pipeline.packing import Packer, PackRule, expected, shares, text_tokens, usage_shares
from coderai_desktop.pipeline.planning import RunSetup
from coderai_desktop.pipeline.token_estimates import document_usage
from tests.unit.llm.specs import many, one_of_each_type, spec

CONTEXT = ProjectContext(name="Survey", description="Open answers.")


def setup_of(variables=None, *, entity: bool = False, **settings: object) -> RunSetup:
    variables = variables or one_of_each_type()
    context = CONTEXT
    if entity:
        context = CONTEXT.model_copy(
            update={"unit_of_observation": UnitOfObservation.ENTITY, "entity_identification_pattern": "firms"}
        )
    provider = ProviderSettings(**settings)  # type: ignore[arg-type]
    return RunSetup(
        project_id=1,
        context=context,
        variables=variables,
        variable_ids={variable.name: number for number, variable in enumerate(variables, 1)},
        plans=extraction_plans(context, variables, provider.mode),
        entity_plan=entity_plan(context, variables) if entity else None,
        prompts={},
        settings=provider,
        policy=ChunkPolicy.classic(),
    )


def document(number: int, words: int, *, chunks: int = 1) -> DocumentInput:
    text = " ".join(["word"] * words)  # 5 characters a word: about 1.25 tokens
    step = len(text) // chunks
    spans = [ChunkSpan(at, at * step, (at + 1) * step, 0, 0) for at in range(chunks)]
    return DocumentInput(number, f"answer-{number}.txt", text, [0], spans)


def packs(rule: PackRule, documents: list[DocumentInput]) -> list[list[int]]:
    packer, formed = Packer(rule), []
    for item in documents:
        if (closed := packer.add(item)) is not None:
            formed.append(closed)
    if (last := packer.close()) is not None:
        formed.append(last)
    return [[item.id for item in pack] for pack in formed]


def test_short_documents_pack_while_their_text_stays_under_the_budget() -> None:
    rule = PackRule(budget=400, alone_from=1000, most=100)
    documents = [document(number, 80) for number in range(1, 8)]  # 100 tokens each

    assert packs(rule, documents) == [[1, 2, 3], [4, 5, 6], [7]], "400 is not under 400: three per pack"


def test_long_and_chunked_documents_go_alone_and_close_the_pack_before_them() -> None:
    rule = PackRule(budget=4000, alone_from=200, most=100)
    short, long, chunked = document(1, 40), document(2, 160), document(3, 40, chunks=2)

    assert rule.alone(long) and rule.alone(chunked) and not rule.alone(short)
    documents = [short, document(4, 40), long, document(5, 40), chunked, document(6, 40)]
    assert packs(rule, documents) == [[1, 4], [2], [5], [3], [6]]


def test_a_pack_holds_no_more_documents_than_its_answer_has_room_for() -> None:
    rule = PackRule(budget=10_000, alone_from=1000, most=4)

    assert packs(rule, [document(number, 10) for number in range(1, 11)]) == [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
        [9, 10],
    ]


def test_the_rule_follows_the_settings_and_the_project() -> None:
    rule = PackRule.of(setup_of(pack_token_budget=3000, pack_document_tokens=500))
    assert (rule.budget, rule.alone_from, rule.on) == (3000, 500, True)
    assert rule.most == 16_000 // (setup_of().plans[0].max_tokens // 2)

    assert not PackRule.of(setup_of(pack_token_budget=0)).on, "0 turns packing off"
    assert not PackRule.of(setup_of(entity=True)).on, "entity projects code each document alone"
    assert not PackRule.of(setup_of([spec("id"), spec("title")])).on, "a variable named like the block id"
    off = PackRule.of(setup_of(pack_token_budget=0))
    assert packs(off, [document(1, 10), document(2, 10)]) == [[1], [2]]


def test_a_pack_costs_one_call_per_plan_and_fewer_prompt_tokens_than_its_documents_alone() -> None:
    setup = setup_of(many(25), mode=ExtractionMode.GROUPED)  # two groups of variables: two plans
    documents = [document(number, 60) for number in range(1, 11)]

    packed = expected(setup, documents)
    alone = [expected(setup, [item]) for item in documents]

    assert packed.calls == 2 and sum(item.calls for item in alone) == 20
    assert packed.output_tokens == sum(item.output_tokens for item in alone)
    assert packed.input_tokens < sum(item.input_tokens for item in alone) / 5, "the prompt is sent once"
    assert alone[0] == expected(setup, [documents[0]])
    usage = document_usage(setup, documents[0])
    assert (alone[0].input_tokens, alone[0].output_tokens) == (usage.input_tokens, usage.output_tokens)


def test_a_chunked_document_alone_costs_a_call_per_chunk_and_plan() -> None:
    setup = setup_of(many(25))
    assert expected(setup, [document(1, 900, chunks=3)]).calls == 6


@pytest.mark.parametrize(("total", "count"), [(100, 3), (7, 7), (5, 8), (0, 2)])
def test_shares_add_up_to_the_whole(total: int, count: int) -> None:
    parts = shares(total, count)
    assert sum(parts) == total and len(parts) == count and max(parts) - min(parts) <= 1


def test_a_packed_calls_usage_is_shared_to_the_token() -> None:
    parts = usage_shares(Usage(1001, 302, 500), 3)

    assert sum(parts, Usage()) == Usage(1001, 302, 500)
    assert parts[0] == Usage(334, 101, 167) and parts[2] == Usage(333, 100, 166)


def test_packing_is_on_by_default_for_openai_and_azure_and_off_for_local_servers() -> None:
    assert ProviderSettings().packing == DEFAULT_PACK_TOKENS
    assert ProviderSettings(kind="azure").packing == DEFAULT_PACK_TOKENS
    assert ProviderSettings(kind="compatible").packing == 0
    assert ProviderSettings(kind="compatible", pack_token_budget=2000).packing == 2000
    assert ProviderSettings(pack_token_budget=0).packing == 0


def test_a_pack_and_its_answer_fit_the_models_context() -> None:
    """A local model's 4,096 tokens: the prompt, the texts and an answer per document must all fit."""
    wide = PackRule.of(setup_of(context_tokens=128_000))
    small = PackRule.of(setup_of(context_tokens=4_096))
    documents = [document(number, 60) for number in range(1, 11)]
    assert packs(wide, documents) == [list(range(1, 11))]
    assert small.room is not None and small.room < 4_096
    fitted = packs(small, documents)
    assert 1 < len(fitted) < 10
    each = text_tokens(documents[0])
    for pack in fitted:
        assert len(pack) * (each + small.answer) <= small.room
    assert max(map(len, fitted)) == small.room // (each + small.answer), "as many as fit"
