"""The confusion matrix of a category (or yes/no) variable: the researcher's value in rows, the AI's in
columns, the number of units in each cell. Agreement (the diagonal) is shaded green, disagreement red."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from coderai_desktop.charts.style import (
    HEIGHT,
    MUTED,
    TEXT,
    TICK_SIZE,
    WIDTH,
    count_text,
    finish,
    label_axes,
    new_figure,
    no_data,
    note,
    text_style,
    truncate,
)
from coderai_desktop.domain.quality import Confusion

LABEL_WIDTH = 18
EMPTY_CELL = "#f6f6f6"
AGREE, DISAGREE = "Greens", "Reds"  # colour maps of the diagonal and of the other cells
CELL_SIZE = 0.42  # inches per row or column beyond a few
CELL_SIZE_PT = 8.5  # the counts' font size


def confusion_chart(confusion: Confusion | None, variable_label: str) -> Figure:
    """Each cell holds its count (white on dark cells); cells are shaded by count, green on the diagonal and
    red off it, empty cells pale grey. Labels are cut to 18 characters."""
    title = f"AI against researcher: {truncate(variable_label, 26)}"
    if confusion is None or confusion.n == 0:
        return no_data(title, "No unit compared yet: review some values\n(or import a blind coding).")
    size = len(confusion.labels)
    figure = new_figure(title, max(WIDTH, 1.9 + CELL_SIZE * size), max(HEIGHT, 1.8 + CELL_SIZE * size))
    axes = figure.add_subplot()
    counts = np.array(confusion.counts, dtype=float)
    largest = counts.max()
    colours = np.zeros((size, size, 4))
    for row in range(size):
        for column in range(size):
            count = counts[row, column]
            colours[row, column] = _shade(count, largest, row == column)
    axes.imshow(colours, aspect="auto", interpolation="nearest")
    for row in range(size):
        for column in range(size):
            count = int(counts[row, column])
            colour = "white" if _luminance(colours[row, column]) < 0.5 else TEXT if count else MUTED
            weight = "bold" if row == column else "normal"
            axes.text(
                column,
                row,
                str(count),
                ha="center",
                va="center",
                **text_style(CELL_SIZE_PT, colour, weight=weight),
            )
            if row == column:  # the diagonal outlined, so it reads without colour too
                axes.add_patch(
                    Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="#1b5e20", linewidth=1.2)
                )
    labels = [truncate(label, LABEL_WIDTH) for label in confusion.labels]
    axes.set_xticks(range(size), labels=labels)
    axes.set_yticks(range(size), labels=labels)
    axes.tick_params(length=0, labelsize=TICK_SIZE)
    if size > 2 or max(len(label) for label in labels) > 8:
        for label in axes.get_xticklabels():
            label.set(rotation=35, ha="right", rotation_mode="anchor")
    for spine in axes.spines.values():
        spine.set_visible(False)
    label_axes(axes, x="AI's value", y="Researcher's value")
    note(axes, f"{confusion.agreed:,} of {count_text(confusion.n, 'unit')} agree")
    return finish(figure)


def _shade(count: float, largest: float, diagonal: bool) -> tuple[float, float, float, float]:
    if count == 0:
        return to_rgba(EMPTY_CELL)
    colour_map = mpl.colormaps[AGREE if diagonal else DISAGREE]
    return tuple(colour_map(0.25 + 0.65 * count / largest))  # type: ignore[return-value]


def _luminance(colour: np.ndarray) -> float:
    red, green, blue = colour[:3]
    return float(0.2126 * red + 0.7152 * green + 0.0722 * blue)
