"""The review, blind coding and agreement commands end to end: a sample and its second opinion coded
through the fake OpenAI server, the review queue led by the values the two models disagree on, a review
set, shown in its history and undone, a corrections sheet round trip, a blind coding sheet, and the
agreement report as a table and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from coderai_desktop.auth.session import UserSession
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import Cli
from tests.integration.runs.conftest import PROJECT, Corpus, MakeCorpus, coderai
from tests.integration.runs.test_second_opinion import SECOND, responder, server

__all__ = ["coderai", "responder", "server"]  # the runs tests' fixtures, used here too


@pytest.fixture
async def plans(make_corpus: MakeCorpus) -> Corpus:
    return await make_corpus(6)


def test_review_queue_history_undo_sheets_and_agreement(
    coderai: Cli, plans: Corpus, server: FakeOpenAI, user: UserSession, tmp_path: Path
) -> None:
    assert coderai("run", PROJECT, "--sample", "6", "--second-opinion", SECOND).code == 0

    queue = coderai("review", "queue", PROJECT, "--limit", "6")
    assert queue.code == 0, queue.err
    lines = queue.out.splitlines()
    assert lines[0].split()[:4] == ["VALUE", "DOCUMENT", "VARIABLE", "AI"]
    assert all(" budget " in line and "a second model coded it differently" in line for line in lines[1:7])

    budget = plans.plans["plan-01.txt"].budget
    judged = coderai(
        "review", "set", PROJECT, "plan-01.txt", "budget", "--incorrect", "1 234", "--note", "page 2"
    )
    assert (judged.code, judged.out) == (0, "budget of plan-01.txt: incorrect, corrected to 1234.\n")
    refused = coderai("review", "set", PROJECT, "plan-01.txt", "sector", "--partial", "farming")
    assert refused.code == 1 and "'farming' is not one of the categories" in refused.err
    history = coderai("review", "history", PROJECT, "plan-01.txt", "budget").out
    assert "ana" in history and "incorrect, corrected to 1234" in history and "page 2" in history
    undone = coderai("review", "undo", PROJECT, "plan-01.txt", "budget")
    assert undone.out == "Undone: budget of plan-01.txt is now not reviewed.\n"
    usage = coderai("review", "set", PROJECT, "plan-01.txt")
    assert usage.code == 1 and "`review set` takes PROJECT DOCUMENT VARIABLE" in usage.err

    sheet = tmp_path / "corrections.xlsx"
    assert coderai("review", PROJECT, "--export", sheet).code == 0
    book = openpyxl.load_workbook(sheet)
    rows = book.worksheets[0]
    header = [cell.value for cell in rows[1]]
    review_column, variable_column = header.index("review") + 1, header.index("variable") + 1
    for row in range(2, rows.max_row + 1):
        if rows.cell(row, variable_column).value in ("sector", "binding"):
            rows.cell(row, review_column, "correct")
    book.save(sheet)
    imported = coderai("review", PROJECT, "--import", sheet)
    assert (imported.code, imported.out.splitlines()[0]) == (
        0,
        "12 rows imported, 0 unchanged, 30 left blank.",
    )

    report = coderai("agreement", PROJECT, "--json")
    assert report.code == 0, report.err
    data = json.loads(report.out)
    by_name = {item["variable"]: item for item in data["variables"]}
    assert by_name["sector"]["basis"]["label"] == "AI vs review"
    assert by_name["sector"]["basis"]["n"] == 6 and by_name["sector"]["verdict"] == "too few units"
    second = {c["label"]: c for c in by_name["budget"]["comparisons"]}[f"AI vs AI ({SECOND})"]
    assert (second["kind"], second["n"], second["percent"]) == ("second opinion", 6, 0.0)
    assert "of 7 variables meet alpha >= 0.8" in data["summary"]

    table = coderai("agreement", PROJECT, "--level", "0.9").out
    assert "AI vs review" in table and "sector: only 6 units compared" in table
    bad_level = coderai("agreement", PROJECT, "--level", "80")
    assert bad_level.code == 1 and "share between 0 and 1" in bad_level.err

    blind = tmp_path / "blind.csv"
    written = coderai("code", PROJECT, "--blind", "--sample", "3", "--seed", "2", "--out", blind)
    assert written.code == 0 and written.out.startswith("Wrote 3 units to")
    assert str(budget) not in blind.read_text(encoding="utf-8-sig")
