"""`coderai --self-test`: every check passes on this installation as a real process, leaving nothing behind;
a check that fails makes the exit status 1, and what cannot be checked here is a skip, not a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

import pytest

from coderai_desktop.export.service import ExportFormat
from coderai_desktop.self_test import documents
from coderai_desktop.self_test.runner import Check, run_self_test
from coderai_desktop.self_test.samples import SAMPLES
from coderai_desktop.self_test.verdicts import CheckFailed, NotReady, Verdict, ok
from coderai_desktop.self_test.workspace import Workspace

CODERAI = Path(sys.executable).with_name("coderai")
CHECKS = [
    "imports",
    "keyring",
    "prompt and schema",
    "database",
    "Qt",
    *(sample.label for sample in SAMPLES),
    "coding",
    *(f"export {kind}" for kind in ExportFormat),
    "export codebook",
]
# What may fall short on a test machine without it being the installation's fault.
MAY_WARN = {"keyring"}  # headless Linux has no Secret Service running
MAY_SKIP = {sample.label for sample in SAMPLES if sample.needs_ocr}  # Tesseract is optional


def test_every_check_passes_in_a_real_process_and_leaves_nothing_behind(tmp_path: Path) -> None:
    # A short temporary folder: the parser pool's fork server listens on a Unix socket in it, whose path
    # may not exceed 107 bytes (pytest-xdist's tmp_path is long enough to pass that).
    data, temporary = tmp_path / "data", Path(tempfile.mkdtemp(prefix="self-test-"))
    try:
        result = run_in(data, temporary)
    finally:
        left_in_temporary = list(temporary.iterdir())
        shutil.rmtree(temporary, ignore_errors=True)

    *lines, summary = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary.startswith("self-test passed in ")
    assert len(lines) == len(CHECKS), result.stdout
    for name, line in zip(CHECKS, lines, strict=True):
        status, rest = line[:4].strip(), line[5:]
        allowed = (
            {"ok"} | ({"warn"} if name in MAY_WARN else set()) | ({"skip"} if name in MAY_SKIP else set())
        )
        assert rest.startswith((f"{name} (", f"{name}: ")), line
        assert status in allowed, line
    assert not data.exists()
    assert left_in_temporary == []


def run_in(data: Path, temporary: Path) -> subprocess.CompletedProcess[str]:
    """`coderai --self-test` as a real process, with this data folder and temporary folder."""
    environment = {
        **os.environ,
        "CODERAI_DATA_DIR": str(data),
        # The person's server must not be used: the self-test makes its own SQLite file.
        "CODERAI_DB_URL": "postgresql://nobody@127.0.0.1:9/nothing",
        "TMPDIR": str(temporary),
    }
    environment.pop("QT_QPA_PLATFORM", None)  # the self-test chooses offscreen itself
    return subprocess.run(
        [str(CODERAI), "--self-test"],
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )


def failing() -> Verdict:
    raise CheckFailed("the widget fell over")


def not_ready() -> Verdict:
    raise NotReady("needs the database check")


def test_a_failing_check_makes_the_exit_status_1_and_the_others_still_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = run_self_test(
        checks=lambda _workspace: [
            Check("first", lambda: ok("fine")),
            Check("broken", failing),
            Check("later", not_ready),
            Check("last", lambda: ok("still run")),
        ]
    )

    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert lines[0].startswith("ok   first (fine, ")
    assert lines[1].startswith("FAIL broken: the widget fell over (")
    assert lines[2] == "skip later: needs the database check"
    assert lines[3].startswith("ok   last (still run, ")
    assert lines[4].startswith("self-test FAILED in ")
    assert lines[4].endswith(": 2 ok, 1 skip, 1 FAIL")


def test_without_tesseract_the_scan_is_skipped_and_the_self_test_passes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "tesseract_available", lambda: False)
    scan = next(sample for sample in SAMPLES if sample.needs_ocr)

    def checks(workspace: Workspace) -> list[Check]:
        return [
            Check("database", partial(documents.open_database, workspace)),
            Check(scan.label, partial(documents.read_sample, workspace, scan)),
        ]

    status = run_self_test(checks=checks)

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[0].startswith("ok   database (SQLite migrated to ")
    assert lines[1] == f"skip {scan.label}: Tesseract not installed"
