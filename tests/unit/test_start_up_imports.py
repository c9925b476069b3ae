"""What start-up imports: `coderai --version`, the commands and the login window must not pay for LangChain,
OpenAI, pandas, the readers or (before the login window) the database and pydantic (tests/benchmarks/bench_startup.py has the times)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# matplotlib: the charts (coderai_desktop/charts) import it when a chart is first drawn.
EXPORT_AND_LLM = ["langchain_core", "langchain_openai", "openai", "pandas", "pyreadstat", "openpyxl", "docx"]
EXPORT_AND_LLM += ["matplotlib"]
READERS = ["pymupdf", "bs4", "pebble"]
DATABASE = ["sqlalchemy", "alembic", "argon2", "keyring"]
MODELS = ["pydantic", "coderai_desktop.commands"]  # the commands' options name pydantic models


def imported_by(statement: str, watched: list[str]) -> list[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps([m for m in {watched!r} if m in sys.modules]))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return list(json.loads(output))


@pytest.mark.parametrize(
    ("statement", "watched"),
    [
        # The window, --version and --self-test are read without the commands' parsers.
        ("from coderai_desktop.cli import parse_arguments; parse_arguments([])", MODELS + DATABASE),
        # A command's parser is built with every command's: still no pipeline, export or readers.
        (
            "from coderai_desktop.cli import build_parser; build_parser()",
            EXPORT_AND_LLM + READERS + DATABASE[1:],
        ),
        # The login window shows before the database opens (ui/app.py), and before pydantic.
        ("import coderai_desktop.ui.app", EXPORT_AND_LLM + READERS + DATABASE + MODELS),
        # `project list` and the other database commands: the database, not the pipeline or the export
        # (nor Alembic, unless the schema needs an upgrade).
        ("import coderai_desktop.app_context", [*EXPORT_AND_LLM, *READERS, "alembic"]),
    ],
)
def test_start_up_leaves_heavy_libraries_until_they_are_needed(statement: str, watched: list[str]) -> None:
    assert imported_by(statement, watched) == []
