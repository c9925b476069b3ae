"""`coderai diagnostics` as a real process: it lists what the zip holds and where it is, needs no login,
and touches no database; with --user it adds the workspace's provider settings."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import PASSWORD

CODERAI = str(Path(sys.executable).with_name("coderai"))


def coderai(*args: str | Path, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CODERAI_PASSWORD": PASSWORD}
    return subprocess.run(
        [CODERAI, "--data-dir", str(data), *map(str, args)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_zip(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_report_needs_no_login_and_creates_no_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = tmp_path / "x.zip"

    result = coderai("diagnostics", "--out", out, data=data)

    assert (result.returncode, result.stderr) == (0, "")
    header, listed = result.stdout.splitlines()[:2]
    assert header == "FILE         SIZE"
    assert listed.startswith("summary.txt  ") and listed.endswith(" KB")
    assert f"Wrote {out}\n" in result.stdout
    assert "Provider settings: Not included. Run with --user NAME" in result.stdout
    files = read_zip(out)
    assert list(files) == ["summary.txt"]  # the log is still empty: nothing has happened yet
    summary = files["summary.txt"]
    assert summary.startswith("CoderAI Desktop problem report, made ")
    assert "Schema    no database file yet" in summary
    assert "Python              3." in summary and "SQLAlchemy          2." in summary
    assert not (data / "coderai.sqlite3").exists()


def test_with_a_user_the_workspace_provider_settings_are_included(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert coderai("account", "create", "ana", data=data).returncode == 0
    assert coderai("provider", "set", "--model", "gpt-test-model", "--user", "ana", data=data).returncode == 0

    result = coderai("diagnostics", "--user", "ana", "--out", tmp_path / "report", data=data)

    assert result.returncode == 0, result.stderr
    assert f"Wrote {tmp_path / 'report.zip'}\n" in result.stdout
    assert "logs/coderai.log" in result.stdout
    assert "Provider settings: Those of the workspace of ana." in result.stdout
    files = read_zip(tmp_path / "report.zip")
    assert list(files) == ["summary.txt", "logs/coderai.log"]
    assert "gpt-test-model" in files["summary.txt"]
    assert ": up to date" in files["summary.txt"]
    assert '"message": "Logged in as ana"' in files["logs/coderai.log"]
