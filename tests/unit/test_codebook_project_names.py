"""Project names are one line of visible text, in any script; the rule holds wherever a name comes from."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.codebook import Codebook, ProjectContext
from coderai_desktop.domain.codebook_rules import CodebookError, check_codebook
from coderai_desktop.domain.project import name_key, project_name_problem
from coderai_desktop.projects.codebook_file import parse_codebook


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Plans\nDROP", "'Plans\\nDROP' contains a line break: a project name is one line of text"),
        ("Plans\r", "contains a line break"),
        ("Plans\u2028B", "contains the character U+2028 (LINE SEPARATOR)"),
        ("a\tb", "contains a tab"),
        ("a\0b", "contains a NUL character"),
        ("a\x1bb", "contains the character U+001B"),
        ("a\x85b", "contains the character U+0085"),
        ("evil\u202etxt.exe", "contains the character U+202E (RIGHT-TO-LEFT OVERRIDE), which reorders"),
        ("a\u2066b", "contains the character U+2066 (LEFT-TO-RIGHT ISOLATE)"),
        ("a\u200fb", "contains the character U+200F (RIGHT-TO-LEFT MARK)"),
        ("\u200b", "has no visible character"),
        ("\u200b\ufeff\u2060", "has no visible character"),
        ("\u200bPlans", "starts or ends with a space or an invisible character"),
        ("Plans\u200d", "starts or ends with a space or an invisible character"),
        (" Plans", "starts or ends with a space"),
        ("", "has no visible character"),
        ("a\udcffb", "contains bytes that are not text (not UTF-8)"),
        ("#12", "'#12' would read as the id of a project; add a word"),
    ],
)
def test_names_that_break_a_table_or_hide_their_text_are_refused(name: str, reason: str) -> None:
    assert reason in (project_name_problem(name) or "")


@pytest.mark.parametrize(
    "name",
    [
        "Études urbaines",
        "气候政策",
        "Политика 2024",
        "Plans 🌍",
        "Family 👨\u200d👩\u200d👧",  # joiners inside an emoji sequence
        "می\u200cخواهم",  # Persian: a zero-width non-joiner inside a word
        "عربي",
        "2024",
        "#1 priority",
        "C#",
        "a\u00a0b",
        "Ｐｌａｎｓ",
        "1\ufe0f\u20e3 keycap",
    ],
)
def test_ordinary_names_in_any_script_are_accepted(name: str) -> None:
    assert project_name_problem(name) is None


def test_names_that_read_alike_share_a_key() -> None:
    assert name_key("ÉTUDES") == name_key("études") == name_key("éｔｕｄｅｓ")
    assert name_key("Plans") != name_key("Plan")


def test_the_rule_applies_to_a_project_created_from_a_form() -> None:
    with pytest.raises(CodebookError) as caught:
        check_codebook(Codebook(project=ProjectContext(name="Plans\nB")))
    assert [problem.field for problem in caught.value.problems] == ["project.name"]


def test_the_rule_applies_to_a_codebook_file_with_its_line() -> None:
    text = 'project:\n  description: x\n  name: "Plans\\u202e"\nvariables: []\n'
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "yaml")
    assert "line 3, project.name: 'Plans\\u202e' contains the character U+202E" in str(caught.value)
