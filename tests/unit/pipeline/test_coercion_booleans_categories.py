"""Booleans in the coders' languages, categories by value or label ignoring case, text trimmed, empty as no value."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.coercion import CoercionError, coerce
from tests.unit.pipeline.extraction_builders import category, spec

BOOLEAN = spec("binding", "boolean")
SECTOR = category(
    "sector", (("energy", "Energy and utilities"), ("transport", "Mobility"), "water", "Public Health")
)


@pytest.mark.parametrize(
    "written",
    [True, 1, "1", "true", "TRUE", "yes", "Yes", "y", " y ", "oui", "vrai", "ja", "Ja", "JA", "sí", "si"],
)
def test_yes_in_several_languages(written: object) -> None:
    assert coerce(BOOLEAN, written) is True


@pytest.mark.parametrize(
    "written", [False, 0, "0", "false", "False", "no", "No", "n", "non", "faux", "nein", "Nein"]
)
def test_no_in_several_languages(written: object) -> None:
    assert coerce(BOOLEAN, written) is False


@pytest.mark.parametrize(("written", "expected"), [("Yes.", True), ("no.", False)])
def test_trailing_punctuation_does_not_hide_the_answer(written: str, expected: bool) -> None:
    assert coerce(BOOLEAN, written) is expected


@pytest.mark.parametrize("written", ["maybe", "unclear", "partly", "yes and no", 2])
def test_neither_yes_nor_no_is_a_clear_problem(written: object) -> None:
    with pytest.raises(CoercionError, match="is not yes or no"):
        coerce(BOOLEAN, written)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("transport", "transport"),
        ("ENERGY", "energy"),
        (" Transport ", "transport"),
        ("  Transport ", "transport"),
        ("public health", "Public Health"),
        ("Energy and utilities", "energy"),
        ("energy AND UTILITIES", "energy"),
        ("Mobility", "transport"),
    ],
)
def test_categories_match_value_or_label_ignoring_case(written: str, value: str) -> None:
    assert coerce(SECTOR, written) == value


def test_an_unknown_category_names_the_allowed_values() -> None:
    with pytest.raises(CoercionError) as raised:
        coerce(SECTOR, "agriculture")

    assert str(raised.value) == (
        "'agriculture' is not one of the categories (energy, transport, water, Public Health)"
    )


def test_an_exact_value_wins_over_a_case_insensitive_one() -> None:
    cased = category("level", ("High", "high"))

    assert coerce(cased, "high") == "high"
    assert coerce(cased, "High") == "High"


def test_an_exact_value_wins_over_another_categorys_label() -> None:
    tricky = category("kind", (("Public", "private"), ("private", "Other")))

    assert coerce(tricky, "private") == "private"


def test_numeric_categories_accept_json_numbers() -> None:
    assert coerce(category("score", ("1", "2", "3")), 2) == "2"


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("  The Oslo Agreement \n", "The Oslo Agreement"),
        ("  Paris Agreement \n", "Paris Agreement"),
        (12, "12"),
    ],
)
def test_text_is_stripped_but_otherwise_kept(written: object, text: str) -> None:
    assert coerce(spec("title"), written) == text


@pytest.mark.parametrize(
    "variable", [spec("t"), spec("n", "number"), spec("d", "date"), BOOLEAN, SECTOR], ids=lambda v: v.type
)
@pytest.mark.parametrize("empty", [None, "", "   ", " \n\t"])
def test_empty_answers_are_no_value_for_every_type(variable: VariableSpec, empty: object) -> None:
    assert coerce(variable, empty) is None
