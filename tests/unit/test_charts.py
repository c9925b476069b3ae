"""The quality charts: each renders to PNG with data and without (saying why there is nothing to draw), and
draws the numbers it is given: one row per variable at its reliability and interval, a bar per category at
its count, a cell per pair with its count, a point per confidence band. Never through pyplot."""

from __future__ import annotations

import subprocess
import sys

import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from coderai_desktop.charts import (
    agreement_chart,
    calibration_chart,
    confusion_chart,
    distribution_chart,
    png,
)
from coderai_desktop.charts.render import PNG_SIGNATURE
from coderai_desktop.charts.style import VERDICT_COLOURS
from coderai_desktop.domain.agreement import (
    AgreementReport,
    Band,
    Calibration,
    Comparison,
    ComparisonKind,
    Interval,
    VariableAgreement,
    Verdict,
)
from coderai_desktop.domain.quality import Confusion, Distribution


def comparison(value: float, low: float, high: float, n: int = 40, measure: str = "nominal") -> Comparison:
    if measure == "set":
        return Comparison(
            ComparisonKind.REVIEW, "AI", "review", "set", n, 0, 0, f1=value, f1_ci=Interval(low, high)
        )
    return Comparison(
        ComparisonKind.REVIEW, "AI", "review", measure, n, 0, 0, alpha=value, alpha_ci=Interval(low, high)
    )


def report(*items: tuple[str, Comparison | None, Verdict]) -> AgreementReport:
    return AgreementReport(
        0.8,
        0.95,
        tuple(VariableAgreement(name, (c,) if c else (), c, verdict, None) for name, c, verdict in items),
    )


REPORT = report(
    ("title", comparison(0.91, 0.84, 0.97), Verdict.READY),
    ("sector", comparison(0.72, 0.6, 0.83), Verdict.TENTATIVE),
    ("budget", comparison(0.41, 0.2, 0.6, measure="interval"), Verdict.NEEDS_WORK),
    ("topics", comparison(0.85, 0.8, 0.9, measure="set"), Verdict.READY),
    ("target_year", comparison(0.5, 0.1, 0.9, n=4), Verdict.TOO_FEW),
    ("a_variable_with_a_very_long_name_indeed", None, Verdict.NOT_MEASURED),
)
CALIBRATION = Calibration(
    n=60,
    accuracy=0.85,
    bands=(
        Band(0.0, 0.5, 0, None, None),
        Band(0.5, 0.75, 10, 0.6, 0.65),
        Band(0.75, 1.0, 50, 0.9, 0.92),
    ),
    ece=0.04,
    target=0.95,
    threshold=0.8,
    accepted_accuracy=0.95,
    flagged_share=0.2,
    current_threshold=0.7,
    current_flagged_share=0.15,
    reason=None,
)
BARS = Distribution("bars", ("Energy", "Transport", "other"), (12, 7, 3), missing=2, total=24)
HISTOGRAM = Distribution(
    "histogram", ("2019", "2020", "2021"), (4, 0, 9), (2019.0, 2020.0, 2021.0, 2022.0), 1, 14, period="year"
)
CONFUSION = Confusion(
    ("Energy", "Transport housing and buildings", "(no value)"), ((8, 1, 0), (2, 5, 0), (0, 1, 3))
)


def texts(figure: Figure) -> list[str]:
    found = [text.get_text() for text in figure.texts]
    for axes in figure.axes:
        found += [text.get_text() for text in axes.texts]
        found.append(axes.get_title(loc="left"))
    return found


def main_axes(figure: Figure) -> Axes:
    return figure.axes[0]


@pytest.mark.parametrize(
    "figure",
    [
        agreement_chart(REPORT),
        calibration_chart(CALIBRATION, "sector"),
        distribution_chart(BARS, "Sector"),
        distribution_chart(HISTOGRAM, "Adopted"),
        confusion_chart(CONFUSION, "Sector"),
    ],
    ids=["agreement", "calibration", "bars", "histogram", "confusion"],
)
def test_every_chart_renders_to_png(figure: Figure) -> None:
    image = png(figure)
    assert image.startswith(PNG_SIGNATURE)
    assert png(figure) == image  # the same figure, the same bytes
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    assert (width, height) == (420, round(figure.get_figheight() * 100))
    assert png(figure, dpi=200)[16:20] == (840).to_bytes(4, "big")


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        (agreement_chart(AgreementReport(0.8, 0.95, ())), "no variables"),
        (calibration_chart(None, "sector"), "No reviewed value"),
        (calibration_chart(Calibration(0, None, (Band(0, 1, 0, None, None),), None, 0.95, None, None, None, 0.7, None, "no values"), "x"), "No reviewed value"),
        (distribution_chart(Distribution("none"), "Sector"), "No value yet"),
        (distribution_chart(Distribution("none", missing=3, total=3), "Sector"), "None of the 3 units"),
        (confusion_chart(None, "Sector"), "No unit compared"),
        (confusion_chart(Confusion(("Yes", "No"), ((0, 0), (0, 0))), "Binding"), "No unit compared"),
    ],
)  # fmt: skip
def test_a_chart_without_data_says_why(figure: Figure, message: str) -> None:
    assert png(figure).startswith(PNG_SIGNATURE)
    assert any(message in text for text in texts(figure))
    assert not figure.axes


def test_the_agreement_chart_has_a_row_per_variable_at_its_reliability() -> None:
    figure = agreement_chart(REPORT)
    png(figure)  # lays the figure out
    axes = main_axes(figure)
    names = [label.get_text() for label in axes.get_yticklabels()]
    assert len(names) == 6
    assert names[:5] == ["title", "sector", "budget", "topics", "target_year"]
    assert names[5] == "a_variable_with_a_ver…"  # cut to 22 characters, with an ellipsis
    points = [line for line in axes.lines if line.get_marker() == "o"]
    assert [(float(p.get_xdata()[0]), float(p.get_ydata()[0])) for p in points] == [
        (0.91, 0),
        (0.72, 1),
        (0.41, 2),
        (0.85, 3),
        (0.5, 4),
    ]
    assert [to_hex(p.get_color()) for p in points] == [
        VERDICT_COLOURS[v]
        for v in (Verdict.READY, Verdict.TENTATIVE, Verdict.NEEDS_WORK, Verdict.READY, Verdict.TOO_FEW)
    ]
    figures = [label.get_text() for label in figure.axes[1].get_yticklabels()]
    assert figures == ["0.91  n=40", "0.72  n=40", "0.41  n=40", "F1 0.85  n=40", "0.50  n=4", ""]
    assert "not measured" in texts(figure)
    lines = {
        (float(line.get_xdata()[0]), line.get_linestyle())
        for line in axes.lines
        if line.get_marker() == "None"
    }
    assert lines == {(0.8, "-"), (0.667, "--")}
    assert axes.get_xlim() == (0.0, 1.03)  # a point at 1.0 is drawn whole
    assert max(axes.get_xticks()) == 1.0


def test_a_negative_alpha_extends_the_axis() -> None:
    figure = agreement_chart(report(("sector", comparison(-0.1, -0.35, 0.2), Verdict.NEEDS_WORK)))
    low, high = main_axes(figure).get_xlim()
    assert low == pytest.approx(-0.4) and high == 1.03
    shallow = agreement_chart(report(("sector", comparison(-0.05, -0.1, 0.2), Verdict.NEEDS_WORK)))
    assert main_axes(shallow).get_xlim()[0] == -0.2


def test_the_calibration_chart_puts_a_point_per_band_with_values() -> None:
    figure = calibration_chart(CALIBRATION, "sector")
    top, bottom = figure.axes
    (points,) = [c for c in top.collections if isinstance(c, PathCollection)]
    assert points.get_offsets().tolist() == [[0.65, 0.6], [0.92, 0.9]]  # the empty band is skipped
    assert [bar.get_height() for bar in bottom.patches] == [10, 50]
    diagonal = next(line for line in top.lines if line.get_linestyle() == "--")
    assert list(diagonal.get_xdata()) == list(diagonal.get_ydata()) == [0, 1]
    assert any(float(line.get_xdata()[0]) == 0.7 for line in top.lines if line.get_linestyle() == ":")
    assert "60 reviewed values · calibration error 0.04" in texts(figure)


def test_the_distribution_chart_draws_the_counts() -> None:
    bars = distribution_chart(BARS, "Sector")
    axes = main_axes(bars)
    drawn = [patch for patch in axes.patches if isinstance(patch, Rectangle)]
    assert [bar.get_width() for bar in drawn] == [12, 7, 3]
    assert [label.get_text() for label in axes.get_yticklabels()] == ["Energy", "Transport", "other"]
    assert [text.get_text() for text in axes.texts] == ["12", "7", "3"]  # the counts at the bars' ends
    assert "No value: 2 of 24 units" in texts(bars)

    histogram = distribution_chart(HISTOGRAM, "Adopted")
    axes = main_axes(histogram)
    drawn = [patch for patch in axes.patches if isinstance(patch, Rectangle)]
    assert [(bar.get_x(), bar.get_width(), bar.get_height()) for bar in drawn] == [
        (2019.0, 1.0, 4),
        (2020.0, 1.0, 0),
        (2021.0, 1.0, 9),
    ]
    assert [label.get_text() for label in axes.get_xticklabels()] == ["2019", "2020", "2021"]
    assert axes.get_xlabel() == "Year"
    assert "No value: 1 of 14 units" in texts(histogram)


def test_the_confusion_chart_writes_each_count_in_its_cell() -> None:
    figure = confusion_chart(CONFUSION, "Sector")
    axes = main_axes(figure)
    cells = {(round(text.get_position()[1]), round(text.get_position()[0])): text for text in axes.texts}
    assert {cell: int(text.get_text()) for cell, text in cells.items()} == {
        (row, column): CONFUSION.counts[row][column] for row in range(3) for column in range(3)
    }
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels == ["Energy", "Transport housing…", "(no value)"]
    assert [label.get_text() for label in axes.get_xticklabels()] == labels
    assert axes.get_ylabel() == "Researcher's value" and axes.get_xlabel() == "AI's value"
    # The darkest cell (8 units agreeing) is written in white; a pale one in dark text.
    assert to_hex(cells[(0, 0)].get_color()) == "#ffffff"
    assert to_hex(cells[(0, 1)].get_color()) != "#ffffff"
    diagonal = [p for p in axes.patches if isinstance(p, Rectangle) and not p.get_fill()]
    assert sorted(p.get_xy() for p in diagonal) == [(-0.5, -0.5), (0.5, 0.5), (1.5, 1.5)]
    assert "16 of 20 units agree" in texts(figure)


def test_a_long_list_makes_a_taller_chart() -> None:
    many = Distribution("bars", tuple(f"category {n}" for n in range(30)), tuple(range(30)), total=435)
    assert distribution_chart(many, "x").get_figheight() > distribution_chart(BARS, "x").get_figheight()


def test_drawing_never_imports_pyplot() -> None:
    code = (
        "import sys\n"
        "from coderai_desktop.charts import agreement_chart, png\n"
        "from coderai_desktop.domain.agreement import AgreementReport\n"
        "png(agreement_chart(AgreementReport(0.8, 0.95, ())))\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
