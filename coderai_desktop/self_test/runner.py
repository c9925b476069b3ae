"""Runs the checks one after another, printing one line each, in a temporary data folder removed at the end.

The exit status is 1 when any check fails; a warning or a skip leaves it 0.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from coderai_desktop.self_test.imports import import_all
from coderai_desktop.self_test.verdicts import CheckFailed, NotReady, Status, Verdict, skip
from coderai_desktop.self_test.workspace import Workspace

EXIT_OK, EXIT_FAILED = 0, 1


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[], Verdict | Awaitable[Verdict]]


Checks = Callable[[Workspace], Iterable[Check]]


def all_checks(workspace: Workspace) -> Iterator[Check]:
    yield Check("imports", import_all)
    # Loaded only now: a module missing from an installation is then a FAIL line above, not a crash.
    from coderai_desktop.self_test.checks import workspace_checks

    yield from workspace_checks(workspace)


def run_self_test(*, debug: bool = False, out: TextIO | None = None, checks: Checks = all_checks) -> int:
    """Run the checks (with --debug, a failure's traceback goes to stderr) and return the exit status."""
    with tempfile.TemporaryDirectory(prefix="coderai-self-test-", ignore_cleanup_errors=True) as folder:
        workspace = Workspace(Path(folder))
        try:
            return asyncio.run(_run(checks(workspace), out or sys.stdout, debug))
        finally:
            workspace.close()


async def _run(checks: Iterable[Check], out: TextIO, debug: bool) -> int:
    started = time.perf_counter()
    counts: Counter[Status] = Counter()
    try:
        for check in checks:
            began = time.perf_counter()
            verdict = await _verdict(check, debug)
            counts[verdict.status] += 1
            print(verdict.line(check.name, time.perf_counter() - began), file=out, flush=True)
    except Exception as error:  # the checks could not even be listed
        counts[Status.FAIL] += 1
        print(f"{Status.FAIL:<4} self-test: {_reason(error, debug)}", file=out)
    outcome = "FAILED" if counts[Status.FAIL] else "passed"
    tally = ", ".join(f"{counts[status]} {status}" for status in Status if counts[status])
    print(f"self-test {outcome} in {time.perf_counter() - started:.1f} s: {tally}", file=out, flush=True)
    return EXIT_FAILED if counts[Status.FAIL] else EXIT_OK


async def _verdict(check: Check, debug: bool) -> Verdict:
    try:
        result = check.run()
        return await result if inspect.isawaitable(result) else result
    except NotReady as missing:
        return skip(str(missing))
    except Exception as error:
        return Verdict(Status.FAIL, _reason(error, debug))


def _reason(error: Exception, debug: bool) -> str:
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    return str(error) if isinstance(error, CheckFailed) else f"{type(error).__name__}: {error}"
