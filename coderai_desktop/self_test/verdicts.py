"""What a check concludes, and how the self-test prints it: one line per check, its status first."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"  # works, with a limit the person should know about
    SKIP = "skip"  # could not be checked here (e.g. Tesseract is not installed)
    FAIL = "FAIL"


@dataclass(frozen=True)
class Verdict:
    status: Status
    detail: str

    def line(self, name: str, seconds: float) -> str:
        if self.status is Status.OK:
            return f"{self.status:<4} {name} ({self.detail}, {seconds:.1f} s)"
        if self.status is Status.SKIP:
            return f"{self.status:<4} {name}: {self.detail}"
        return f"{self.status:<4} {name}: {self.detail} ({seconds:.1f} s)"


def ok(detail: str) -> Verdict:
    return Verdict(Status.OK, detail)


def warn(detail: str) -> Verdict:
    return Verdict(Status.WARN, detail)


def skip(reason: str) -> Verdict:
    return Verdict(Status.SKIP, reason)


class CheckFailed(Exception):
    """What the check found wrong, in words (the line shows the message alone, without the type)."""


class NotReady(Exception):
    """A check that builds on an earlier one that failed: it is skipped, and the earlier FAIL says why."""
