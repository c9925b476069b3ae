"""Hostile storage, end to end: the real `coderai` on a real read-only file system and a real full disk
(small tmpfs mounts, so these need root and a kernel that lets us mount; skipped otherwise). What the
terminal shows is one sentence that says what to do: no traceback, no "--- Logging error ---"."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.integration.conftest import Cli
from tests.integration.test_cli_subprocess import run

NOISE = ("Traceback", "--- Logging error ---", "Exception ignored")


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB file system of its own, unmounted afterwards."""
    if os.name == "nt" or os.geteuid() != 0:
        pytest.skip("mounting a file system needs root on Linux")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


@pytest.fixture
def data(disk: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Ana's data folder on that disk, with her project Plans (made in-process: quicker)."""
    folder = disk / "data"
    monkeypatch.setenv("CODERAI_DATA_DIR", str(folder))
    assert cli("account", "create", "ana").code == 0
    assert cli("project", "create", "Plans", "--user", "ana").code == 0
    return folder


@pytest.fixture
def environment(data: Path) -> dict[str, str]:
    return {**os.environ, "CODERAI_DATA_DIR": str(data), "CODERAI_PASSWORD": PASSWORD}


def coderai(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = run("coderai", *args, "--user", "ana", env=env)
    assert not [noise for noise in NOISE if noise in result.stderr], result.stderr
    return result


def fill(disk: Path, leave: int) -> Path:
    """Fill the disk, leaving about `leave` bytes free."""
    filler = disk / "filler"
    with filler.open("wb") as file:
        file.truncate(0)
        chunk = b"\0" * 4096
        while shutil.disk_usage(disk).free > leave:
            try:
                file.write(chunk)
                file.flush()
            except OSError:
                break
    return filler


def projects(data: Path) -> list[str]:
    with sqlite3.connect(data / "coderai.sqlite3") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = [row[0] for row in connection.execute("SELECT name FROM projects ORDER BY id")]
    connection.close()
    return names


def test_a_read_only_data_folder(disk: Path, data: Path, environment: dict[str, str]) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)

    listed = coderai("project", "list", env=environment)
    created = coderai("project", "create", "Budget", env=environment)
    wrong = coderai("project", "list", env={**environment, "CODERAI_PASSWORD": "not the password"})

    log_warning = (
        f"warning: cannot write the log file {data / 'logs' / 'coderai.log'} (Read-only file system); "
    )
    assert listed.returncode == 0
    assert [line.split()[1] for line in listed.stdout.splitlines()[1:]] == ["Plans"]
    assert listed.stderr == log_warning + "continuing without it.\n"
    assert created.returncode == 1
    assert created.stderr.splitlines()[1:] == [
        f"error: The data folder {data} is read-only: CoderAI cannot save anything there. Make it writable, "
        "or choose another data folder with --data-dir (or CODERAI_DATA_DIR)."
    ]
    assert wrong.stderr.splitlines()[1:] == [
        "error: Wrong login name or password. Check the spelling and Caps Lock, then try again."
    ]


def test_a_full_disk_at_start_up(disk: Path, data: Path, environment: dict[str, str]) -> None:
    filler = fill(disk, leave=0)

    result = coderai("project", "list", env=environment)

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines()[-1] == (
        f"error: The disk holding {data} is full: the last change was not saved. Free some space and try "
        "again; runs and imports continue where they stopped."
    )
    filler.unlink()
    assert projects(data) == ["Plans"]


def test_a_full_disk_while_saving(disk: Path, data: Path, environment: dict[str, str]) -> None:
    """Room to start (the -shm index, a few log lines), not to save a 120 KB description."""
    filler = fill(disk, leave=96_000)

    result = coderai("project", "create", "Budget", "--description", "x" * 120_000, env=environment)

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines()[-1] == (
        f"error: The disk holding {data} is full: the last change was not saved. Free some space and try "
        "again; runs and imports continue where they stopped."
    )
    # It failed saving, after start-up: the log (which had room for its first lines) has the login. Whether
    # any of the error's line fits after it depends on the bytes before (such as the data folder's path).
    log = (data / "logs" / "coderai.log").read_text(encoding="utf-8")
    assert '"message": "Logged in as ana"' in log
    filler.unlink()
    assert projects(data) == ["Plans"]  # nothing half-saved
    assert coderai("project", "create", "Budget", env=environment).returncode == 0
