"""The installed `coderai` command and `python -m coderai_desktop` behave the same, as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coderai_desktop import __version__
from tests.conftest import PASSWORD

ENTRY_POINTS = {
    "python -m coderai_desktop": [sys.executable, "-m", "coderai_desktop"],
    "coderai": [str(Path(sys.executable).with_name("coderai"))],
}


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CODERAI_DATA_DIR": str(tmp_path / "data"),
        "CODERAI_PASSWORD": PASSWORD,
        "QT_QPA_PLATFORM": "offscreen",
    }


def run(entry_point: str, *args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENTRY_POINTS[entry_point], *map(str, args)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_both_entry_points_print_the_version(entry_point: str, environment: dict[str, str]) -> None:
    assert Path(ENTRY_POINTS[entry_point][0]).exists()
    result = run(entry_point, "--version", env=environment)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"coderai {__version__}\n", "")
    assert __version__ == "0.1.0"


def test_a_headless_session_as_a_real_process(environment: dict[str, str], tmp_path: Path) -> None:
    created = run("coderai", "account", "create", "ana", env=environment)
    assert (created.returncode, created.stdout) == (0, "Created account 'ana' with its own workspace.\n")
    assert (tmp_path / "data" / "coderai.sqlite3").exists()

    broken = tmp_path / "broken.yaml"
    broken.write_text("variables:\n  - name: title\n    type: txt\n    instructions: x\n", encoding="utf-8")
    result = run(
        "python -m coderai_desktop", "codebook", "load", "Plans", broken, "--user", "ana", env=environment
    )
    assert result.returncode == 1
    assert "line 3, variables[0].type: 'txt' is not one of" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""

    delete = run("coderai", "project", "delete", "Plans", "--user", "ana", env=environment)
    assert delete.returncode == 1
    assert delete.stderr == "error: There is no project named 'Plans' in your workspace.\n"
