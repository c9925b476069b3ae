"""Reading codebook files: the format comes from the extension, and every problem names its line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from coderai_desktop.domain.codebook_rules import CodebookError
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.projects.codebook_file import read_codebook_file

# Line numbers below count from this text: `signed` is on line 5, its fields on lines 6 and 7.
TWO_VARIABLES = """\
variables:
  - name: title
    type: text
    instructions: The title.
  - name: signed
    type: {kind}
    instructions: When it was signed.
"""


def signed_date(*extra_lines: str) -> str:
    """TWO_VARIABLES with `signed` a date variable and more of its fields from line 8 on."""
    return TWO_VARIABLES.format(kind="date") + "".join(f"    {line}\n" for line in extra_lines)


def write(tmp_path: Path, text: str, name: str = "codebook.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def read_error(tmp_path: Path, text: str, name: str = "codebook.yaml") -> str:
    with pytest.raises(InvalidInputError) as caught:
        read_codebook_file(write(tmp_path, text, name))
    return str(caught.value)


@pytest.mark.parametrize("name", ["c.yaml", "c.yml", "c.YAML", "c.json"])
def test_the_format_is_chosen_by_extension(tmp_path: Path, name: str) -> None:
    # Flow style is valid YAML and valid JSON: only the extension decides which parser reads it.
    text = '{"variables": [{"name": "title", "type": "text", "instructions": "The title."}]}'
    assert [spec.name for spec in read_codebook_file(write(tmp_path, text, name)).variables] == ["title"]


def test_yaml_only_syntax_is_refused_in_a_json_file(tmp_path: Path) -> None:
    assert "codebook.json, line 1, column 1" in read_error(tmp_path, signed_date(), "codebook.json")


@pytest.mark.parametrize("name", ["codebook.txt", "codebook", "codebook.yaml.bak"])
def test_an_unknown_extension_is_refused(tmp_path: Path, name: str) -> None:
    assert "ends in .yaml, .yml or .json" in read_error(tmp_path, signed_date(), name)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="There is no file"):
        read_codebook_file(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TWO_VARIABLES.format(kind="datum"), "line 6, variables[1].type: 'datum' is not one of"),
        (signed_date("default_value: 2020-13"), "line 8, variables[1].default_value: default: '2020-13'"),
        (
            signed_date("validation_rules:", "  min: '2030'", "  max: '2020'"),
            "line 9, variables[1].validation_rules.min: min (2030) is greater than max (2020)",
        ),
        (
            signed_date("depends_on: {variable: titel}"),
            "line 8, variables[1].depends_on.variable: there is no variable named 'titel'",
        ),
        (
            signed_date("instruction: typo"),
            "line 8, variables[1].instruction: unknown field 'instruction'; did you mean 'instructions'?",
        ),
        (
            "variables:\n  - name: title\n    type: text\n\n  - name: year\n    type: number\n",
            "line 5, variables[1].instructions: required field is missing",
        ),
        (
            "project:\n  name: Treaties\n  unit_of_observation: entity\nvariables: []\n",
            "line 1, project.entity_identification_pattern: required when",
        ),
    ],
)
def test_every_yaml_problem_names_its_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in read_error(tmp_path, text)


def test_json_problems_name_their_line_and_field(tmp_path: Path) -> None:
    text = """\
        {
          "variables": [
            {"name": "title", "type": "text", "instructions": "The title."},
            {
              "name": "sector",
              "type": "category",
              "instructions": "The sector.",
              "categories": [{"value": "energy"}, {"value": "energy"}]
            }
          ]
        }
        """
    assert "line 8, variables[1].categories[1].value: 'energy' appears twice" in read_error(
        tmp_path, text, "c.json"
    )


@pytest.mark.parametrize(
    ("text", "name", "where"),
    [
        (
            "variables:\n  - name: a\n    type: text\n   instructions: x\n",
            "c.yaml",
            "c.yaml, line 4, column 4",
        ),
        ("variables: [\n", "c.yaml", "c.yaml, line 2, column 1"),
        ('{"variables": [\n  {"name": "a",, }\n]}', "c.json", "c.json, line 2, column 16"),
        ('{"variables": []', "c.json", "c.json, line 1, column 17"),
    ],
)
def test_syntax_errors_name_line_and_column(tmp_path: Path, text: str, name: str, where: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        read_codebook_file(write(tmp_path, text, name))
    assert str(caught.value).startswith(where)
    assert not isinstance(caught.value, CodebookError)


DUPLICATE_TYPE_YAML = "variables:\n  - name: a\n    type: text\n    instructions: x\n    type: number\n"
DUPLICATE_TYPE_JSON = """\
{
  "variables": [
    {"name": "a", "type": "text",
     "instructions": "x", "type": "number"}
  ]
}
"""


@pytest.mark.parametrize(
    ("text", "name", "line"),
    [
        (DUPLICATE_TYPE_YAML, "c.yaml", 5),
        (DUPLICATE_TYPE_JSON, "c.json", 4),
        # Tab-indented JSON (json.dumps(indent="\t")): YAML, which names the lines, refuses tabs.
        (DUPLICATE_TYPE_JSON.replace("  ", "\t"), "c.json", 4),
    ],
    ids=["yaml", "json", "json-indented-with-tabs"],
)
def test_duplicate_keys_are_refused_with_their_line(tmp_path: Path, text: str, name: str, line: int) -> None:
    assert f"line {line}, variables[0].type: 'type' is given twice" in read_error(tmp_path, text, name)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "null\n"])
def test_an_empty_yaml_file_is_reported_as_empty(tmp_path: Path, text: str) -> None:
    assert read_error(tmp_path, text) == "codebook.yaml is empty: it needs at least a 'variables:' list."


def test_an_empty_json_file_is_refused(tmp_path: Path) -> None:
    assert read_error(tmp_path, " \n", "codebook.json") == (
        "codebook.json is empty: it needs at least a 'variables:' list."
    )


def test_dates_stay_text_as_written(tmp_path: Path) -> None:
    codebook = read_codebook_file(
        write(
            tmp_path,
            signed_date("default_value: 2020-05-01", "validation_rules: {min: 1990-01-01, max: 2035-12}")
            + "  - name: note\n    type: text\n    instructions: x\n    default_value: 2021-02-03\n",
        )
    )
    signed, note = codebook.variables[1], codebook.variables[2]
    assert signed.default_value == "2020-05-01" and type(signed.default_value) is str
    assert signed.validation_rules is not None
    assert (signed.validation_rules.min, signed.validation_rules.max) == ("1990-01-01", "2035-12")
    assert note.default_value == "2021-02-03"


def test_one_bad_variable_rejects_the_whole_file(tmp_path: Path) -> None:
    text = TWO_VARIABLES.format(kind="number") + "  - name: 2nd\n    type: text\n    instructions: x\n"
    result = None
    with pytest.raises(CodebookError) as caught:
        result = read_codebook_file(write(tmp_path, text))
    assert result is None
    assert [problem.field for problem in caught.value.problems] == ["variables[2].name"]
    assert "1 problem (nothing was saved)" in str(caught.value)


def test_a_byte_order_mark_is_ignored_and_other_encodings_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_bytes(TWO_VARIABLES.format(kind="number").encode("utf-8-sig"))
    assert len(read_codebook_file(path).variables) == 2
    path.write_bytes("variables:\n  - name: d\xe9but\n".encode("latin-1"))
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        read_codebook_file(path)
