"""What start-up imports: `coderai --version`, the command parser and the login window must not pay for
LangChain, OpenAI, pandas, the readers or the database (tests/benchmarks/bench_startup.py has the times)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

EXPORT_AND_LLM = ["langchain_core", "langchain_openai", "openai", "pandas", "pyreadstat", "openpyxl", "docx"]
READERS = ["pymupdf", "bs4", "pebble"]
DATABASE = ["sqlalchemy", "alembic", "argon2", "keyring"]


def imported_by(statement: str, watched: list[str]) -> list[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps([m for m in {watched!r} if m in sys.modules]))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return list(json.loads(output))


@pytest.mark.parametrize(
    ("statement", "watched"),
    [
        # Every command's parser is built for `--version` and before the GUI opens.
        (
            "from coderai_desktop.cli import build_parser; build_parser()",
            EXPORT_AND_LLM + READERS + DATABASE[1:],
        ),
        # The login window shows before the database opens (ui/app.py).
        ("import coderai_desktop.ui.app", EXPORT_AND_LLM + READERS + DATABASE),
        # `project list` and the other database commands: the database, not the pipeline or the export.
        ("import coderai_desktop.app_context", EXPORT_AND_LLM + READERS),
    ],
)
def test_start_up_leaves_heavy_libraries_until_they_are_needed(statement: str, watched: list[str]) -> None:
    assert imported_by(statement, watched) == []
