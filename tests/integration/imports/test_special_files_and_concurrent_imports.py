"""Paths that are not regular files (a named pipe, a link to a device, a broken link) are refused with the
reason, given on the command line or found in a folder, instead of hanging the import; and two imports of
the same folder at once, as two real processes, each count only what they really imported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.ingest.report import Outcome
from coderai_desktop.ingest.service import DocumentService
from tests.conftest import PASSWORD
from tests.fakes.documents import text_file
from tests.integration.imports.helpers import PROJECT, by_name, folder, rows

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and /dev/zero are POSIX")

# Long enough for a real import, far shorter than "forever".
IMPORT_TIMEOUT = 120


def special_files(where: Path) -> dict[str, str]:
    """A named pipe, a link to /dev/zero and a broken link in `where`; name -> the reason expected."""
    os.mkfifo(where / "pipe.txt")
    (where / "zeros.txt").symlink_to("/dev/zero")
    (where / "gone.txt").symlink_to(where / "nothing-here.txt")
    return {
        "pipe.txt": "a named pipe, not a regular file",
        "zeros.txt": "a device, not a regular file",
        "gone.txt": "a link to something that does not exist",
    }


def cli_environment(context: AppContext) -> dict[str, str]:
    return {
        **os.environ,
        "CODERAI_DATA_DIR": str(context.settings.data_dir),
        "CODERAI_USER": "ana",
        "CODERAI_PASSWORD": PASSWORD,
        "CODERAI_OCR_ENABLED": "false",
    }


def coderai(context: AppContext, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """`coderai ARGS...` as a real process on the test's data: a hang fails the test instead of the run."""
    return subprocess.run(
        [sys.executable, "-m", "coderai_desktop", *map(str, args)],
        env=cli_environment(context),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=IMPORT_TIMEOUT,
    )


async def test_special_files_in_a_folder_are_skipped_with_the_reason(
    documents: DocumentService, project: int, tmp_path: Path
) -> None:
    files = folder(tmp_path / "files")
    text_file(files, "minutes.txt", "The council met on Monday.")
    expected = special_files(files)

    report = await documents.import_paths(project, [files])

    outcomes = by_name(report)
    assert outcomes.pop("minutes.txt")[0] is Outcome.IMPORTED
    assert {name: outcome for name, (outcome, _) in outcomes.items()} == dict.fromkeys(
        expected, Outcome.SKIPPED
    )
    for name, reason in expected.items():
        assert outcomes[name][1].startswith(reason), outcomes[name]


def test_special_files_on_the_command_line_are_refused_at_once(
    context: AppContext, user: UserSession, project: int, tmp_path: Path
) -> None:
    files = folder(tmp_path / "files")
    expected = special_files(files)

    result = coderai(context, "import", PROJECT, *(files / name for name in expected))

    assert result.returncode == 1, result.stderr  # nothing could be read
    for name, reason in expected.items():
        assert re.search(rf"^{re.escape(name)}\s+skipped\s+{re.escape(reason)}", result.stdout, re.M), (
            result.stdout
        )
    assert "Traceback" not in result.stderr
    assert rows(context, user.workspace_id) == []


def test_two_imports_of_one_folder_at_once_count_each_file_once(
    context: AppContext, user: UserSession, project: int, tmp_path: Path
) -> None:
    files = folder(tmp_path / "files")
    count = 120
    for number in range(count):
        text_file(files, f"note-{number:03d}.txt", f"Note {number}: the council met on day {number}.")
    command = [sys.executable, "-m", "coderai_desktop", "import", PROJECT, str(files)]
    environment = {**cli_environment(context), "CODERAI_IMPORT_WORKERS": "1"}
    children = [
        subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=IMPORT_TIMEOUT) for child in children]

    assert [child.returncode for child in children] == [0, 0], outputs
    imported = [_summary_count(out, "imported") for out, _ in outputs]
    duplicates = [_summary_count(out, "duplicate") for out, _ in outputs]
    assert sum(imported) == count, outputs[0][0][-300:] + outputs[1][0][-300:]
    assert [imported[0] + duplicates[0], imported[1] + duplicates[1]] == [count, count]
    stored = rows(context, user.workspace_id)
    assert len(stored) == count and {row.status for row in stored} == {DocumentStatus.READY}


def _summary_count(output: str, outcome: str) -> int:
    """N in the import's closing line ("120 imported, 3 duplicate."), 0 when absent."""
    summary = output.strip().splitlines()[-1]
    found = re.search(rf"(\d+) {outcome}", summary, re.I)
    return int(found.group(1)) if found else 0
