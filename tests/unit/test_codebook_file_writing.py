"""Writing codebook files: what is written reads back equal, and a failed write changes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from coderai_desktop.domain.codebook_rules import codebook_problems
from coderai_desktop.domain.enums import DependencyOperator, IfUncertain
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.projects.codebook_file import codebook_text, read_codebook_file, write_codebook_file
from tests.unit.codebook_data import DEMO_CODEBOOK, edge_case_codebook


def test_the_demo_codebook_loads_without_problems() -> None:
    codebook = read_codebook_file(DEMO_CODEBOOK)
    assert codebook_problems(codebook) == []
    assert codebook.project is not None and codebook.project.name == "Municipal climate action plans"
    assert len(codebook.variables) == 7
    net_zero_year = next(spec for spec in codebook.variables if spec.name == "net_zero_year")
    assert net_zero_year.depends_on is not None
    assert net_zero_year.depends_on.operator is DependencyOperator.EQUALS


@pytest.mark.parametrize("name", ["out.yaml", "out.yml", "out.json"])
@pytest.mark.parametrize("source", ["demo", "edge cases"])
def test_what_is_written_reads_back_equal(tmp_path: Path, name: str, source: str) -> None:
    codebook = read_codebook_file(DEMO_CODEBOOK) if source == "demo" else edge_case_codebook()
    path = tmp_path / name
    write_codebook_file(path, codebook)
    again = read_codebook_file(path)
    assert again == codebook
    write_codebook_file(path, again)
    assert path.read_text(encoding="utf-8") == codebook_text(
        codebook, "json" if name.endswith("json") else "yaml"
    )


def test_the_null_policy_is_written_as_null_and_choices_in_lower_case(tmp_path: Path) -> None:
    write_codebook_file(tmp_path / "c.json", edge_case_codebook())
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    note, has_goal, goal_year = data["variables"][:3]
    assert note["if_uncertain"] is None and note["type"] == "text"
    assert has_goal["if_uncertain"] == "skip" and has_goal["default_value"] is False
    assert goal_year["depends_on"] == {"variable": "has_goal", "operator": "is_set"}
    assert read_codebook_file(tmp_path / "c.json").variables[0].if_uncertain is IfUncertain.NULL


def test_multi_line_text_is_written_as_a_readable_block() -> None:
    text = codebook_text(edge_case_codebook(), "yaml")
    assert "instructions: |" in text
    assert yaml.safe_load(text)["variables"][0]["instructions"].splitlines()[1] == "  Indented: yes"


def test_an_unknown_extension_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"ends in \.yaml, \.yml or \.json"):
        write_codebook_file(tmp_path / "codebook.txt", edge_case_codebook())
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_old_file_intact_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "codebook.yaml"
    write_codebook_file(path, read_codebook_file(DEMO_CODEBOOK))
    before = path.read_bytes()

    def disk_full(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(InvalidInputError, match="cannot be written: No space left on device"):
        write_codebook_file(path, edge_case_codebook())
    assert path.read_bytes() == before
    assert sorted(child.name for child in tmp_path.iterdir()) == ["codebook.yaml"]


def test_writing_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "codebooks" / "plans.yml"
    write_codebook_file(path, edge_case_codebook())
    assert read_codebook_file(path) == edge_case_codebook()
