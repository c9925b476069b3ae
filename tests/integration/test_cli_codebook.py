"""`coderai codebook load|dump`: the file is the contract, YAML or JSON, and a bad one is named by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.persistence.tables import Variable
from coderai_desktop.projects.codebook_file import read_codebook_file
from tests.integration.conftest import Cli
from tests.integration.rows import add_document, add_extraction, add_job
from tests.unit.codebook_data import DEMO_CODEBOOK

BROKEN = """\
variables:
  - name: title
    type: text
    instructions: The title.
  - name: year
    type: nmuber
    instructions: The year.
"""


@pytest.fixture
def project(cli: Cli, ana: str) -> str:
    assert cli("project", "create", "Plans", "--user", ana).code == 0
    return "Plans"


@pytest.mark.parametrize("name", ["codebook.yaml", "codebook.json"])
def test_a_codebook_loaded_and_dumped_reads_back_equal(
    cli: Cli, ana: str, project: str, tmp_path: Path, name: str
) -> None:
    loaded = cli("codebook", "load", project, DEMO_CODEBOOK, "--user", ana)
    assert (loaded.code, loaded.out.strip()) == (0, "Loaded 7 variables into project 1: Plans.")

    target = tmp_path / name
    dumped = cli("codebook", "dump", project, target, "--user", ana)
    assert (dumped.code, dumped.out.strip()) == (0, f"Saved 7 variables to {target}.")
    if name.endswith(".json"):
        assert json.loads(target.read_text(encoding="utf-8"))["variables"][0]["name"] == "plan_title"
    demo = read_codebook_file(DEMO_CODEBOOK)
    assert read_codebook_file(target).variables == demo.variables

    assert cli("project", "create", "Copy", "--user", ana).code == 0
    assert cli("codebook", "load", "Copy", target, "--user", ana).code == 0
    assert codebook_without_name(cli, "Copy", ana) == codebook_without_name(cli, project, ana)


def codebook_without_name(cli: Cli, project: str, user: str) -> dict:
    """What `codebook dump PROJECT -` prints, parsed, minus the project's name."""
    data = yaml.safe_load(cli("codebook", "dump", project, "-", "--user", user).out)
    data["project"].pop("name")
    return data


def test_dump_to_dash_prints_yaml(cli: Cli, ana: str, project: str) -> None:
    cli("codebook", "load", project, DEMO_CODEBOOK, "--user", ana)
    result = cli("codebook", "dump", project, "-", "--user", ana)
    assert result.code == 0
    data = yaml.safe_load(result.out)
    assert data["project"]["name"] == "Plans"
    assert [v["name"] for v in data["variables"]] == [
        v.name for v in read_codebook_file(DEMO_CODEBOOK).variables
    ]


def test_a_malformed_file_is_named_by_line_without_a_traceback_and_changes_nothing(
    cli: Cli, ana: str, project: str, tmp_path: Path
) -> None:
    cli("codebook", "load", project, DEMO_CODEBOOK, "--user", ana)
    before = cli("codebook", "dump", project, "-", "--user", ana).out
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")

    result = cli("codebook", "load", project, broken, "--user", ana)

    assert result.code == 1
    assert "broken.yaml has 1 problem" in result.err
    assert "line 6, variables[1].type: 'nmuber' is not one of" in result.err
    assert "Traceback" not in result.err
    assert cli("codebook", "dump", project, "-", "--user", ana).out == before


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.json", '{"variables": [}', "bad.json, line 1, column 16"),
        ("bad.yaml", "variables: [\n", "bad.yaml, line 2, column 1"),
        ("bad.txt", "variables: []\n", "ends in .yaml, .yml or .json"),
    ],
)
def test_unreadable_files_fail_before_anything_else(
    cli: Cli, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = cli("codebook", "load", "Plans", path, "--user", "nobody")  # not even a login is attempted
    assert result.code == 1
    assert expected in result.err and "Traceback" not in result.err


def store_a_result(variable_name: str) -> None:
    """A value extracted for the variable, as a run writes it (the CLI has no run command yet)."""
    context = AppContext.open(Settings.from_environment())  # the data folder the CLI uses
    try:
        with context.database.transaction() as session:
            variable = session.scalars(sa.select(Variable).where(Variable.name == variable_name)).one()
            document = add_document(session, variable.workspace_id, variable.project_id)
            job = add_job(session, variable.workspace_id, variable.project_id)
            add_extraction(
                session,
                variable.workspace_id,
                project_id=variable.project_id,
                job_id=job.id,
                document_id=document.id,
                variable_id=variable.id,
            )
    finally:
        context.close()


def test_dropping_a_variable_with_results_needs_the_flag(
    cli: Cli, ana: str, project: str, tmp_path: Path
) -> None:
    assert cli("codebook", "load", project, DEMO_CODEBOOK, "--user", ana).code == 0
    store_a_result("plan_title")
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(DEMO_CODEBOOK.read_text(encoding="utf-8").replace("name: plan_title", "name: title"))

    refused = cli("codebook", "load", project, smaller, "--user", ana)
    assert refused.code == 1
    assert "already have results: plan_title (1 values)" in refused.err

    loaded = cli("codebook", "load", project, smaller, "--user", ana, "--remove-variables-with-results")
    assert loaded.code == 0
    dumped = yaml.safe_load(cli("codebook", "dump", project, "-", "--user", ana).out)
    assert dumped["variables"][0]["name"] == "title"


def test_versions_list_every_saved_codebook_with_why_and_who(cli: Cli, ana: str, project: str) -> None:
    assert cli("codebook", "load", project, DEMO_CODEBOOK, "--user", ana).code == 0
    assert cli("codebook", "load", project, DEMO_CODEBOOK, "--user", ana).code == 0  # the same: no version
    listed = cli("codebook", "versions", project, "--changed", "--user", ana)
    assert listed.code == 0, listed.err
    lines = [line.split() for line in listed.out.splitlines()]
    assert lines[0] == ["VERSION", "SAVED", "BY", "VARIABLES", "WHY"]
    assert [(row[0], row[3], row[4]) for row in lines[1:3]] == [("2", "ana", "7"), ("1", "ana", "0")]
    assert "imported from codebook.yaml" in listed.out.splitlines()[1]
    assert listed.out.splitlines()[-1] == "No variable changed since the last run (or nothing has run yet)."
