"""A default value fills in only when the model found nothing."""

from __future__ import annotations

from coderai_desktop.domain.enums import ExtractionStatus
from coderai_desktop.pipeline.grounding import Grounder
from coderai_desktop.pipeline.postprocess import code_unit
from tests.unit.pipeline.extraction_builders import answer, category, code_one, items, spec

DEFAULT_NOTE = "default value: the document does not give one"


def test_the_default_is_used_when_the_model_found_nothing() -> None:
    binding = spec("binding", "boolean", default_value=False)
    coded = code_one(binding, answer(None, None, 0.2))
    assert coded.value is False
    assert coded.status is ExtractionStatus.EXTRACTED
    assert coded.notes == [DEFAULT_NOTE]


def test_a_multi_valued_default_is_used_for_an_empty_list() -> None:
    sectors = category("sectors", if_multiple_values="all", default_value=["energy"])
    coded = code_one(sectors, items())
    assert coded.value == ["energy"]
    assert coded.notes == [DEFAULT_NOTE]


def test_the_default_does_not_replace_a_found_value() -> None:
    coded = code_one(spec("city", default_value="unknown"), answer("Oslo", "in Oslo"))
    assert coded.value == "Oslo"
    assert coded.notes == []


def test_the_default_does_not_replace_a_value_dropped_for_low_confidence() -> None:
    city = spec("city", default_value="unknown", if_uncertain="null", confidence_threshold=0.8)
    coded = code_one(city, answer("Oslo", "in Oslo", 0.3))
    assert coded.value is None
    assert coded.notes == ["confidence 0.30 is below 0.80: left empty"]


def test_no_default_leaves_an_unanswered_value_empty() -> None:
    coded = code_one(spec("city"), answer(None, None, 0.1))
    assert coded.value is None
    assert coded.status is ExtractionStatus.EXTRACTED
    assert coded.notes == []


def test_a_variable_without_any_answer_fails_even_with_a_default() -> None:
    (coded,) = code_unit([spec("city", default_value="unknown")], {}, Grounder("text"))
    assert coded.status is ExtractionStatus.FAILED
    assert coded.value is None


def test_the_default_does_not_replace_an_unusable_answer() -> None:
    budget = spec("budget", "number", default_value=0)
    coded = code_one(budget, answer("a lot of money", "EUR 4.5 million"))
    assert coded.status is ExtractionStatus.FLAGGED
    assert coded.value is None
    assert DEFAULT_NOTE not in coded.notes
