"""The dataset holds a researcher's correction rather than the AI's value, and the export filters (which
runs, reviewed only, minimum confidence, no flagged values) leave out exactly what they say."""

from __future__ import annotations

from typing import Any

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.agreement import Verdict
from coderai_desktop.domain.enums import ExtractionStatus, FeedbackType
from coderai_desktop.export.model import ExportOptions, Mark, RunFilter
from coderai_desktop.export.service import ExportService
from tests.integration.export.conftest import Coded, review, set_value
from tests.integration.runs.conftest import on_each_backend


async def values(exports: ExportService, coded: Coded, **options: Any) -> dict[str, dict[str, Any]]:
    """File name -> the values of its row that are set."""
    table = await exports.table(coded.corpus.project_id, ExportOptions(**options))
    return {
        record["document"]: {
            k: v for k, v in record.items() if v is not None and k not in ("document", "document_id")
        }
        for record in table.records()
    }


@on_each_backend
async def test_a_correction_replaces_the_value_and_is_marked(
    exports: ExportService, coded: Coded, context: AppContext, user: UserSession
) -> None:
    ids = coded.corpus.ids
    review(context, user, ids["plan-01.txt"], "title", FeedbackType.CORRECT)
    review(context, user, ids["plan-02.txt"], "budget", FeedbackType.INCORRECT, 999)
    review(context, user, ids["plan-02.txt"], "budget", FeedbackType.INCORRECT, 1234)  # the latest counts
    review(context, user, ids["plan-03.txt"], "sector", FeedbackType.INCORRECT, None)  # no such value

    dataset = await exports.dataset(coded.corpus.project_id)
    table = await exports.table(coded.corpus.project_id)
    rows = {record["document"]: record for record in table.records()}

    assert rows["plan-02.txt"]["budget"] == 1234
    assert rows["plan-03.txt"]["sector"] is None
    assert rows["plan-01.txt"]["title"] == coded.corpus.plans["plan-01.txt"].title
    budget = table.columns.index("budget")
    row_of = {record["document"]: index for index, record in enumerate(table.records())}
    assert table.marks[(row_of["plan-02.txt"], budget)] is Mark.CORRECTED
    quality = {info.spec.name: info.quality for info in dataset.variables}
    assert (quality["budget"].reviewed, quality["title"].reviewed, quality["topics"].reviewed) == (1, 1, 0)
    assert quality["sector"].coverage == 0.75 and quality["sector"].null_share == 0.25
    assert quality["budget"].mean_confidence is not None
    # Agreement comes from the review service: one reviewed unit per variable gives no verdict yet.
    assert dataset.agreement is not None
    budget, topics = dataset.agreement.get("budget"), dataset.agreement.get("topics")
    assert budget is not None and budget.basis is not None and budget.basis.label == "AI vs review"
    assert (budget.basis.n, budget.verdict) == (1, Verdict.TOO_FEW)
    assert topics is not None and topics.verdict is Verdict.NOT_MEASURED


async def test_filters_leave_out_what_they_say(
    exports: ExportService, coded: Coded, context: AppContext, user: UserSession
) -> None:
    ids = coded.corpus.ids
    review(context, user, ids["plan-01.txt"], "title", FeedbackType.CORRECT)
    review(context, user, ids["plan-02.txt"], "budget", FeedbackType.PARTIALLY_CORRECT, 5)
    set_value(context, ids["plan-03.txt"], "sector", confidence=0.3, status=ExtractionStatus.FLAGGED)
    set_value(context, ids["plan-04.txt"], "title", confidence=0.6)

    everything = await values(exports, coded)
    assert set(everything) == set(ids) and everything["plan-02.txt"]["budget"] == 5

    assert await values(exports, coded, reviewed_only=True) == {
        "plan-01.txt": {"title": coded.corpus.plans["plan-01.txt"].title},
        "plan-02.txt": {"budget": 5},
    }
    confident = await values(exports, coded, min_confidence=0.5)
    assert "sector" not in confident["plan-03.txt"] and "title" in confident["plan-04.txt"]
    assert "title" not in (await values(exports, coded, min_confidence=0.7))["plan-04.txt"]
    unflagged = await values(exports, coded, exclude_flagged=True)
    assert "sector" not in unflagged["plan-03.txt"] and "sector" in unflagged["plan-04.txt"]
    assert set(await values(exports, coded, runs=RunFilter.SAMPLE)) == {"plan-01.txt", "plan-02.txt"}
    assert set(await values(exports, coded, runs=RunFilter.FULL)) == {"plan-03.txt", "plan-04.txt"}
    dataset = await exports.dataset(coded.corpus.project_id, ExportOptions(runs=RunFilter.FULL))
    assert dataset.options.filters() == ["values of full runs"]
    assert [run.id for run in dataset.runs] == [coded.full_job, coded.sample_job]
    assert dataset.corpus.coded == 2 and dataset.corpus.documents == 4
