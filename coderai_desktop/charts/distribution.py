"""The distribution of a variable's values: categories, booleans and texts as horizontal bars, numbers and
dates as histograms, with the units that have no value in a note."""

from __future__ import annotations

from itertools import pairwise

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coderai_desktop.charts.style import (
    HEIGHT,
    PRIMARY,
    TEXT,
    TICK_SIZE,
    WIDTH,
    count_text,
    finish,
    label_axes,
    new_figure,
    no_data,
    note,
    style_axes,
    text_style,
    truncate,
)
from coderai_desktop.domain.quality import OTHER, Distribution

BAR_HEIGHT = 0.26  # inches per bar, beyond the first few
LABEL_WIDTH = 24  # characters of a bar's label
OTHER_COLOUR = "#9db1c7"
PERIOD_TICKS = 12  # at most this many period labels under a date histogram; beyond, every second...


def distribution_chart(distribution: Distribution, variable_label: str) -> Figure:
    title = f"Values of {truncate(variable_label, 34)}"
    if distribution.kind == "none" or not distribution.counts:
        message = (
            "No value yet: run a sample first."
            if distribution.total == 0
            else f"None of the {count_text(distribution.total, 'unit')} has a value."
        )
        return no_data(title, message)
    if distribution.kind == "bars":
        figure = new_figure(title, WIDTH, max(HEIGHT, 1.3 + BAR_HEIGHT * len(distribution.counts)))
        axes = figure.add_subplot()
        _bars(axes, distribution)
    else:
        figure = new_figure(title)
        axes = figure.add_subplot()
        _histogram(axes, distribution)
    note(axes, _missing_note(distribution))
    return finish(figure)


def _bars(axes: Axes, distribution: Distribution) -> None:
    style_axes(axes, grid="x")
    rows = range(len(distribution.counts))
    colours = [OTHER_COLOUR if label == OTHER else PRIMARY for label in distribution.labels]
    bars = axes.barh(rows, distribution.counts, height=0.65, color=colours)
    axes.bar_label(bars, padding=3, **text_style(TICK_SIZE, TEXT))
    axes.set_yticks(rows, labels=[truncate(label, LABEL_WIDTH) for label in distribution.labels])
    axes.set_ylim(len(distribution.counts) - 0.5, -0.5)
    axes.tick_params(axis="y", length=0)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(0, max(max(distribution.counts), 1) * 1.15)  # room for the counts at the bars' ends
    label_axes(axes, x="Values given" if distribution.multi else "Units")


def _histogram(axes: Axes, distribution: Distribution) -> None:
    style_axes(axes, grid="y")
    edges = distribution.edges
    widths = [high - low for low, high in pairwise(edges)]
    axes.bar(
        edges[:-1],
        distribution.counts,
        width=widths,
        align="edge",
        color=PRIMARY,
        edgecolor="white",
        linewidth=0.8,
    )
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(edges[0], edges[-1])
    if distribution.period is not None or _one_bin_per_number(distribution):
        # Each bar named (a year, a month, a whole number), thinned out when there are many.
        every = max(1, -(-len(widths) // PERIOD_TICKS))
        centres = [low + width / 2 for low, width in zip(edges, widths, strict=False)]
        axes.set_xticks(centres[::every], labels=list(distribution.labels[::every]))
        axes.tick_params(axis="x", length=0)
        if distribution.period == "month" or len(widths[::every]) > 6:
            for label in axes.get_xticklabels():
                label.set(rotation=40, ha="right", rotation_mode="anchor")
    x_label = {"year": "Year", "month": "Month"}.get(distribution.period or "", "Value")
    label_axes(axes, x=x_label, y="Values given" if distribution.multi else "Units")


def _one_bin_per_number(distribution: Distribution) -> bool:
    return all(
        high - low == 1 and str(label).replace(",", "").lstrip("-").isdigit()
        for low, high, label in zip(
            distribution.edges, distribution.edges[1:], distribution.labels, strict=False
        )
    )


def _missing_note(distribution: Distribution) -> str:
    units = count_text(distribution.total, "unit")
    if distribution.missing == 0:
        return f"All {units} have a value" if distribution.total > 1 else f"{units} with a value"
    return f"No value: {distribution.missing:,} of {units}"
