"""Every module of the application imports: in a bundle, this is where a module PyInstaller left out shows.

Alembic's revisions and env.py are not a package (Alembic reads them as files): the database check runs them.
"""

from __future__ import annotations

import importlib
import pkgutil

import coderai_desktop
from coderai_desktop.self_test.verdicts import CheckFailed, Verdict, ok

SHOWN_FAILURES = 5


def import_all() -> Verdict:
    failures: dict[str, str] = {}
    names: list[str] = []

    def failed(name: str) -> None:  # a package walk_packages could not import to look inside
        failures.setdefault(name, "could not be imported")

    for module in pkgutil.walk_packages(coderai_desktop.__path__, f"{coderai_desktop.__name__}.", failed):
        names.append(module.name)
        try:
            importlib.import_module(module.name)
        except Exception as error:
            failures[module.name] = f"{type(error).__name__}: {error}"
    if failures:
        shown = "; ".join(f"{name} ({why})" for name, why in list(failures.items())[:SHOWN_FAILURES])
        more = f" and {len(failures) - SHOWN_FAILURES} more" if len(failures) > SHOWN_FAILURES else ""
        raise CheckFailed(f"{len(failures)} of {len(names)} modules do not import: {shown}{more}")
    return ok(f"{len(names)} modules")
