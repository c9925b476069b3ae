"""Agreement per variable: each variable's reliability with its 95% interval, against the project's level and
the tentative floor, coloured by verdict."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from coderai_desktop.charts.style import (
    HEIGHT,
    MUTED,
    NOTE_SIZE,
    TEXT,
    TICK_SIZE,
    VERDICT_COLOURS,
    VERDICT_WORDS,
    WIDTH,
    finish,
    label_axes,
    new_figure,
    no_data,
    note,
    style_axes,
    text_style,
    truncate,
)
from coderai_desktop.domain.agreement import TENTATIVE_FLOOR, AgreementReport, VariableAgreement, Verdict

TITLE = "Agreement between the AI and the researchers"
ROW_HEIGHT = 0.3  # inches per variable, beyond the first few
NAME_WIDTH = 22  # characters of a variable's name


RIGHT_MARGIN = 0.03


def agreement_chart(report: AgreementReport) -> Figure:
    """One row per variable, in the report's order: its reliability (alpha; F1 for several values; AC1 where
    nobody's values varied) as a point coloured by verdict, its 95% interval as a whisker, and the figure
    with the units compared at the right. A solid line marks the project's level, a dashed one the tentative
    floor (0.667). Variables not measured say so instead of showing a point."""
    items = report.variables
    if not items:
        return no_data(TITLE, "The codebook has no variables yet.")
    rows = len(items)
    figure = new_figure(TITLE, WIDTH, max(HEIGHT, 1.5 + ROW_HEIGHT * rows))
    axes = figure.add_subplot()
    style_axes(axes, grid="x")
    left = _left_end(items)
    axes.set_xlim(left, 1.0 + RIGHT_MARGIN)  # a point at 1.0 whole, not cut by the frame
    axes.set_xticks([tick for tick in axes.get_xticks() if left <= tick <= 1.0])
    axes.set_ylim(rows - 0.5, -0.5)  # the first variable at the top
    axes.axvline(report.level, color=TEXT, linewidth=1.1, zorder=1)
    axes.axvline(TENTATIVE_FLOOR, color=MUTED, linewidth=1.0, linestyle="--", zorder=1)
    figures = [_row(axes, row, item, left) for row, item in enumerate(items)]
    axes.set_yticks(range(rows), labels=[truncate(item.variable, NAME_WIDTH) for item in items])
    axes.tick_params(axis="y", length=0)
    # The figures in a column at the right: a second axis whose tick labels they are.
    column = axes.twinx()
    column.set_ylim(axes.get_ylim())
    column.set_yticks(range(rows), labels=figures)
    column.tick_params(axis="y", length=0, labelsize=TICK_SIZE, labelcolor=TEXT)
    for side in ("top", "right", "left", "bottom"):
        column.spines[side].set_visible(False)
    label_axes(axes, x="Reliability, with its 95% interval")
    note(axes, f"Lines at the level, {report.level:g}, and tentative, {TENTATIVE_FLOOR:g} (dashed)")
    _legend(figure, items)
    return finish(figure)


def _row(axes: Axes, row: int, item: VariableAgreement, left: float) -> str:
    """Draws one variable's point and whisker; returns the text of its figure column."""
    basis = item.basis
    value = None if basis is None or item.verdict is Verdict.NOT_MEASURED else basis.reliability
    if basis is None or value is None:
        words = "too few units" if item.verdict is Verdict.TOO_FEW else "not measured"
        axes.text(
            left + 0.02 * (1.0 - left),
            row,
            words,
            va="center",
            **text_style(NOTE_SIZE, MUTED, style="italic"),
        )
        return ""
    colour = VERDICT_COLOURS[item.verdict]
    interval = basis.reliability_ci
    if interval is not None:
        axes.errorbar(
            value,
            row,
            xerr=[[max(0.0, value - interval.low)], [max(0.0, interval.high - value)]],
            fmt="none",
            ecolor=colour,
            elinewidth=1.6,
            capsize=3,
            alpha=0.8,
            zorder=2,
        )
    axes.plot(
        [value],
        [row],
        "o",
        color=colour,
        markersize=6.5,
        markeredgecolor="white",
        markeredgewidth=0.8,
        zorder=3,
    )
    name = "" if basis.reliability_name == "alpha" else f"{basis.reliability_name} "
    return f"{name}{value:.2f}  n={basis.n}"


def _left_end(items: tuple[VariableAgreement, ...]) -> float:
    """0, or below it when a reliability or an interval is negative (alpha can be): at least -0.2."""
    lows = []
    for item in items:
        basis = item.basis
        if basis is None or basis.reliability is None:
            continue
        lows.append(basis.reliability)
        if basis.reliability_ci is not None:
            lows.append(basis.reliability_ci.low)
    lowest = min(lows, default=0.0)
    return 0.0 if lowest >= 0 else min(-0.2, lowest - 0.05)


def _legend(figure: Figure, items: tuple[VariableAgreement, ...]) -> None:
    shown = [verdict for verdict in VERDICT_WORDS if any(item.verdict is verdict for item in items)]
    if not any(item.basis is not None and item.basis.reliability is not None for item in items):
        return
    handles = [
        Line2D([], [], marker="o", linestyle="", color=VERDICT_COLOURS[verdict], markersize=6)
        for verdict in shown
    ]
    figure.legend(
        handles,
        [VERDICT_WORDS[verdict] for verdict in shown],
        loc="outside lower center",
        ncols=len(shown),
        frameon=False,
        handletextpad=0.2,
        columnspacing=1.0,
        prop={"family": "DejaVu Sans", "size": NOTE_SIZE},
        labelcolor=TEXT,
    )
