"""The quality report from a project's records: each variable's distribution of current values (corrections
applied, failures missing), the confusion of the AI's values with the researchers', the counts the Quality
page lists, and the summary that says which prompts have enough corrections to refine."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.agreement import Verdict
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import ExtractionStatus, FeedbackType, MatchStatus
from coderai_desktop.domain.quality import NO_VALUE, OTHER
from coderai_desktop.review.agreement import measure_agreement
from coderai_desktop.review.quality import ActivePrompt, distribution, quality_report
from coderai_desktop.review.records import AIValue, ProjectRecords, Reviewed

SECTORS = [
    {"value": "energy", "label": "Energy"},
    {"value": "transport", "label": "Transport"},
    {"value": "housing"},
]
FAILED = object()  # in an AI column: the model gave no usable answer
UNREVIEWED = object()  # in a review column


def spec(name: str, kind: str, **fields: Any) -> VariableSpec:
    return VariableSpec.model_validate({"name": name, "type": kind, "instructions": "Code it.", **fields})


class Project:
    """Records built by hand: document i's AI value of a variable is ai[i], reviewed as reviews[i]."""

    def __init__(self, *specs: VariableSpec) -> None:
        self.records = ProjectRecords(1, 0.8, 0.95, list(specs), {s.name: {} for s in specs}, {}, {})
        self._ids = 0

    def code(
        self,
        name: str,
        ai: list[Any],
        reviews: list[Any] | None = None,
        *,
        confidence: list[float | None] | float | None = 0.9,
        flagged: set[int] = frozenset(),  # type: ignore[assignment]
        prompt: int | None = None,
    ) -> Project:
        for document, value in enumerate(ai):
            self._ids += 1
            status = ExtractionStatus.FLAGGED if document in flagged else ExtractionStatus.EXTRACTED
            if value is FAILED:
                value, status = None, ExtractionStatus.FAILED
            stated = confidence[document] if isinstance(confidence, list) else confidence
            self.records.values[name][(document, None)] = AIValue(
                self._ids, document, f"d{document}.txt", None, None, name, value, stated, status,
                MatchStatus.EXACT, "quote", 1, None, "model", prompt,
            )  # fmt: skip
            human = UNREVIEWED if reviews is None else reviews[document]
            if human is not UNREVIEWED:
                same = human == value
                self.records.reviews[self._ids] = Reviewed(
                    FeedbackType.CORRECT if same else FeedbackType.INCORRECT, None if same else human
                )
        return self

    def blind(self, coder: str, name: str, values: dict[int, Any]) -> Project:
        coded = self.records.codings.setdefault(coder, {})
        coded[name] = {(document, None): value for document, value in values.items()}
        return self

    def report(self, versions: dict[str, ActivePrompt] | None = None, refine_after: int = 3):  # type: ignore[no-untyped-def]
        agreement = measure_agreement(self.records, bootstrap=0)
        return quality_report(self.records, agreement, versions or {}, refine_after)


# Distributions


def test_categories_in_the_codebook_order_with_corrections_applied_and_failures_missing() -> None:
    sector = spec("sector", "category", categories=SECTORS)
    project = Project(sector).code(
        "sector",
        ["energy", "energy", "transport", None, FAILED, "retired", "energy"],
        ["transport", UNREVIEWED, UNREVIEWED, UNREVIEWED, UNREVIEWED, UNREVIEWED, None],
    )
    shown = project.report().get("sector")
    assert shown is not None
    values = shown.distribution
    assert values.kind == "bars"
    # A category nobody gave still shows (0); a value the codebook no longer has comes after.
    assert dict(zip(values.labels, values.counts, strict=True)) == {
        "Energy": 1,
        "Transport": 2,
        "housing": 0,
        "retired": 1,
    }
    assert values.labels == ("Energy", "Transport", "housing", "retired")
    # No value: the empty one, the failure and the one a researcher emptied.
    assert (values.missing, values.total, values.present) == (3, 7, 4)


def test_booleans_as_yes_and_no() -> None:
    values = distribution(spec("binding", "boolean"), [True, False, True, None, "yes?"])
    assert (values.kind, values.labels, values.counts, values.missing) == ("bars", ("Yes", "No"), (2, 1), 2)


def test_texts_show_the_ten_most_frequent_then_the_rest_as_other() -> None:
    texts = ["Air  quality"] * 3 + ["air quality"] * 2 + ["Noise"] * 4
    texts += [f"topic {n}" for n in range(12) for _ in range(2 if n < 9 else 1)]
    values = distribution(spec("title", "text"), [*texts, "", None])
    assert values.labels[:2] == ("Air quality", "Noise")  # case and spacing ignored; the usual spelling
    assert values.counts[:2] == (5, 4)
    assert len(values.labels) == 11 and values.labels[-1] == OTHER
    assert values.counts[-1] == 2 + 1 + 1 + 1  # topic 8 (twice), 9, 10 and 11: beyond the ten
    assert sum(values.counts) == len(texts) and values.missing == 2


def test_texts_as_frequent_are_in_natural_order() -> None:
    values = distribution(spec("topic", "text"), ["topic 10", "topic 2", "Topic 9"])
    assert values.labels == ("topic 2", "Topic 9", "topic 10")


def test_several_values_count_each_value() -> None:
    topics = spec("topics", "category", categories=SECTORS, if_multiple_values="all")
    values = distribution(topics, [["energy", "transport"], ["energy"], [], None])
    assert values.multi and values.counts == (2, 1, 0)
    assert (values.missing, values.total) == (2, 4)


def test_whole_numbers_over_a_short_range_get_a_bar_each() -> None:
    values = distribution(spec("year", "number"), [2030, 2031, 2031, 2035, None, "n/a"])
    assert values.kind == "histogram" and values.period is None
    assert values.labels == ("2,030", "2,031", "2,032", "2,033", "2,034", "2,035")
    assert values.counts == (1, 2, 0, 0, 0, 1)
    assert values.edges[0] == 2029.5 and values.edges[-1] == 2035.5
    assert values.missing == 2


def test_other_numbers_get_ten_to_twenty_bins() -> None:
    numbers = [1000.0 * n + 0.5 for n in range(500)] + [2e6]
    values = distribution(spec("budget", "number"), numbers)
    assert 10 <= len(values.counts) <= 20
    assert len(values.edges) == len(values.counts) + 1
    assert sum(values.counts) == len(numbers)
    assert values.edges[0] == 0.5 and values.edges[-1] == 2e6
    assert values.labels[0].endswith(f"to {values.labels[1].split(' to ')[0]}")


def test_dates_by_year_with_the_years_between() -> None:
    values = distribution(spec("adopted", "date"), ["2019-03-01", "2019", "2021-12", "not a date"])
    assert (values.kind, values.period) == ("histogram", "year")
    assert values.labels == ("2019", "2020", "2021") and values.counts == (2, 0, 1)
    assert values.edges == (2019.0, 2020.0, 2021.0, 2022.0)
    assert values.missing == 1


def test_dates_of_one_year_by_month() -> None:
    values = distribution(spec("adopted", "date"), ["2021-03-01", "2021-05", "2021-03-30"])
    assert values.period == "month"
    assert values.labels == ("2021-03", "2021-04", "2021-05") and values.counts == (2, 0, 1)
    assert values.edges[0] == pytest.approx(2021 + 2 / 12)


def test_dates_over_a_century_by_decade() -> None:
    values = distribution(spec("adopted", "date"), ["1893", "1950-06", "2004-01-01"])
    assert values.labels[0] == "1890–1899" and values.labels[-1] == "2000–2009"
    assert len(values.counts) == 12 and sum(values.counts) == 3
    assert values.edges[:2] == (1890.0, 1900.0)
    fewer = distribution(spec("adopted", "date"), ["1905", "2004"])  # 100 years: 5 at a time
    assert (fewer.labels[0], fewer.labels[-1], len(fewer.counts)) == ("1905–1909", "2000–2004", 20)


def test_no_value_at_all() -> None:
    values = distribution(spec("budget", "number"), [None, None])
    assert (values.kind, values.counts, values.missing, values.total) == ("none", (), 2, 2)


# Confusion


def test_the_confusion_counts_researcher_rows_against_ai_columns() -> None:
    sector = spec("sector", "category", categories=SECTORS)
    project = Project(sector).code(
        "sector",
        ["energy", "energy", "transport", None, "energy", FAILED, "transport"],
        ["energy", "transport", "transport", "housing", None, "energy", UNREVIEWED],
    )
    project.blind("bea", "sector", {6: "energy"})  # the unit nobody reviewed: the blind coding
    confusion = project.report().get("sector").confusion  # type: ignore[union-attr]
    assert confusion is not None
    assert confusion.labels == ("Energy", "Transport", "housing", NO_VALUE)
    assert confusion.counts == (
        (1, 1, 0, 0),  # researcher Energy: AI Energy once, AI Transport once (the blind-coded unit)
        (1, 1, 0, 0),
        (0, 0, 0, 1),  # the AI gave nothing where the researcher saw housing
        (1, 0, 0, 0),
    )
    assert (confusion.n, confusion.agreed) == (6, 2)  # the failure is left out


def test_booleans_always_show_yes_and_no() -> None:
    project = Project(spec("binding", "boolean")).code("binding", [True, True], [True, True])
    confusion = project.report().get("binding").confusion  # type: ignore[union-attr]
    assert confusion is not None and confusion.labels == ("Yes", "No")
    assert confusion.counts == ((2, 0), (0, 0))


@pytest.mark.parametrize(
    "variable",
    [
        spec("sector", "category", categories=SECTORS),
        spec("title", "text"),
        spec("sectors", "category", categories=SECTORS, if_multiple_values="all"),
    ],
)
def test_no_confusion_without_comparison_or_for_other_kinds(variable: VariableSpec) -> None:
    reviews = None if variable.name == "sector" else ["energy"]
    project = Project(variable).code(variable.name, ["energy"], reviews)
    assert project.report().get(variable.name).confusion is None  # type: ignore[union-attr]


# Counts and summary


def test_counts_versions_and_readiness() -> None:
    budget = spec("budget", "number", confidence_threshold=0.7)
    title = spec("title", "text", display_name="Title of the plan")
    project = (
        Project(budget, title)
        .code(
            "budget",
            [1, 2, 3, 4, FAILED, 6],
            [10, 20, 3, 40, UNREVIEWED, UNREVIEWED],
            confidence=[0.9, 0.5, 0.8, 0.95, None, 0.6],
            flagged={2},
        )
        .code("title", ["A", "B"], confidence=None)
    )
    report = project.report({"budget": ActivePrompt(7, "grouped:1 v3")}, refine_after=3)
    item = report.get("budget")
    assert item is not None
    assert (item.reviewed, item.errors, item.ready_to_refine) == (4, 3, True)
    # Flagged: the FLAGGED one, the failure, and the two below 0.7.
    assert item.flagged_share == pytest.approx(4 / 6)
    assert item.mean_confidence == pytest.approx((0.9 + 0.5 + 0.8 + 0.95 + 0.6) / 5)
    assert (item.prompt_version, item.type, item.label) == ("grouped:1 v3", "number", "budget")
    assert item.agreement.variable == "budget"
    other = report.get("title")
    assert other is not None
    assert (other.reviewed, other.errors, other.ready_to_refine, other.flagged_share) == (0, 0, False, 0.0)
    assert (other.mean_confidence, other.prompt_version, other.label) == (None, None, "Title of the plan")
    assert other.agreement.verdict is Verdict.NOT_MEASURED
    assert report.get("nothing") is None
    assert [v.name for v in report.variables] == ["budget", "title"]


def test_corrections_of_an_older_prompt_no_longer_call_for_refinement() -> None:
    project = Project(spec("budget", "number"))
    project.code("budget", list(range(12)), [n + 100 for n in range(12)], prompt=1)  # 12 corrections of v1
    before = project.report({"budget": ActivePrompt(1, "grouped:1 v1")}, refine_after=10).get("budget")
    assert before is not None and (before.errors, before.outdated, before.ready_to_refine) == (12, 0, True)
    # A refinement made v2: the same values were coded by v1, so there is nothing new to learn from yet.
    after = project.report({"budget": ActivePrompt(2, "grouped:1 v2")}, refine_after=10).get("budget")
    assert after is not None and (after.errors, after.outdated, after.ready_to_refine) == (12, 12, False)


def test_the_summary_says_which_prompts_to_refine() -> None:
    variables = [spec(name, "number") for name in ("budget", "target_year", "staff")]
    project = Project(*variables)
    project.code("budget", list(range(12)), [n + 100 for n in range(12)])  # 12 corrections
    project.code("target_year", list(range(5)), [n + 1 for n in range(5)])  # 5
    project.code("staff", list(range(12)), list(range(12)))  # none
    one = project.report(refine_after=10)
    assert one.summary() == (
        "1 of 3 variables meet alpha >= 0.8; refine budget; target_year needs more reviewed units. "
        "budget has 12 corrections to learn from: refine its prompt."
    )
    several = project.report(refine_after=5)
    assert several.summary().endswith(
        " budget (12) and target_year (5) have corrections to learn from: refine their prompts."
    )
    assert [item.name for item in several.ready_to_refine] == ["budget", "target_year"]
    assert project.report(refine_after=20).summary() == one.agreement.summary()


def test_a_variable_the_agreement_left_out_is_not_measured() -> None:
    project = Project(spec("budget", "number"), spec("staff", "number"))
    project.code("budget", [1], [1]).code("staff", [2], [2])
    agreement = measure_agreement(project.records, variable="budget", bootstrap=0)
    report = quality_report(project.records, agreement, {}, 10)
    staff = report.get("staff")
    assert (
        staff is not None
        and staff.agreement.verdict is Verdict.NOT_MEASURED
        and staff.agreement.basis is None
    )
