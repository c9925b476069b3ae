"""`codebook_from_data`: what a researcher reads when a codebook cannot be used."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.codebook_input import codebook_from_data
from coderai_desktop.domain.codebook_rules import CodebookError
from coderai_desktop.domain.errors import InvalidInputError
from tests.unit.codebook_data import variable


def problems(data: Any) -> dict[str, str]:
    with pytest.raises(CodebookError) as caught:
        codebook_from_data(data)
    return {problem.field: problem.message for problem in caught.value.problems}


def test_a_valid_codebook_is_returned() -> None:
    codebook = codebook_from_data({"variables": [variable("title"), variable("year", "number")]})
    assert [spec.name for spec in codebook.variables] == ["title", "year"]


@pytest.mark.parametrize(
    ("data", "field", "suggestion"),
    [
        ({"variables": [{**variable(), "instruction": "x"}]}, "variables[0].instruction", "instructions"),
        ({"variables": [{**variable(), "catgories": []}]}, "variables[0].catgories", "categories"),
        ({"project": {"name": "P", "descripton": "x"}, "variables": []}, "project.descripton", "description"),
        ({"variabels": []}, "variabels", "variables"),
    ],
)
def test_an_unknown_field_suggests_the_closest_known_one(data: Any, field: str, suggestion: str) -> None:
    unknown = field.rsplit(".", 1)[-1]
    assert problems(data) == {field: f"unknown field {unknown!r}; did you mean {suggestion!r}?"}


# Suggestions come from the fields of the model at that path, never the misplaced key itself
# ("unknown field 'variable'; did you mean 'variable'?" would help nobody).
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"variable": []}, "variable"),  # DependsOn.variable; meant `variables`
        ({"variables": [{**variable(), "label": "Title"}]}, "variables[0].label"),  # Category.label
    ],
)
def test_a_field_misplaced_from_another_section_is_never_suggested_as_itself(data: Any, field: str) -> None:
    message = problems(data)[field]
    unknown = field.rsplit(".", 1)[-1]
    assert message.startswith(f"unknown field {unknown!r}")
    assert f"did you mean {unknown!r}" not in message


def test_an_unknown_field_far_from_any_known_one_gets_no_suggestion() -> None:
    assert problems({"variables": [{**variable(), "colour": "red"}]}) == {
        "variables[0].colour": "unknown field 'colour'"
    }


@pytest.mark.parametrize("missing", ["name", "type", "instructions"])
def test_a_missing_required_field_is_named(missing: str) -> None:
    spec = variable()
    del spec[missing]
    assert problems({"variables": [spec]}) == {f"variables[0].{missing}": "required field is missing"}


def test_a_bad_choice_lists_the_choices_in_lower_case() -> None:
    found = problems({"variables": [variable(type="Texte"), variable("b", if_multiple_values="every")]})
    assert found == {
        "variables[0].type": "'texte' is not one of 'text', 'number', 'date', 'boolean' or 'category'",
        "variables[1].if_multiple_values": "'every' is not one of 'first', 'last', 'all' or 'summarize'",
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ([variable()], "", "expected a mapping of fields (name: value)"),
        ({"variables": {"title": {}}}, "variables", "expected a list"),
        ({"variables": [variable(instructions="  ")]}, "variables[0].instructions", "must not be empty"),
    ],
)
def test_shape_errors_are_written_for_people(data: Any, field: str, message: str) -> None:
    assert problems(data) == {field: message}


def test_the_error_names_the_source_counts_problems_and_says_nothing_was_saved() -> None:
    with pytest.raises(CodebookError) as caught:
        codebook_from_data({"variables": [variable("1a"), variable("document")]}, source="plans.yaml")
    text = str(caught.value)
    assert text.startswith("plans.yaml has 2 problems (nothing was saved):")
    assert "variables[0].name: '1a' must start with a letter" in text
    assert "variables[1].name: 'document' is reserved" in text
    assert isinstance(caught.value, InvalidInputError)


def test_a_long_list_of_problems_is_shortened() -> None:
    with pytest.raises(CodebookError) as caught:
        codebook_from_data({"variables": [variable(f"{n}bad") for n in range(13)]})
    text = str(caught.value)
    assert "13 problems" in text
    assert "variables[9].name" in text and "variables[10].name" not in text
    assert text.endswith("... and 3 more")


def test_lines_are_named_when_the_caller_knows_them() -> None:
    with pytest.raises(CodebookError) as caught:
        codebook_from_data({"variables": [variable("1a")]}, "f.yaml", line_of=lambda path: 2 + len(path))
    assert "line 5, variables[0].name:" in str(caught.value)
