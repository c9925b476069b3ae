"""The charts' common look: a white, quiet style that sits well in a light window and on a printed page,
the colours of the verdicts, DejaVu Sans (shipped with matplotlib, so the same everywhere), and figures of
about 420 x 300 pixels that grow with what they list. Set per figure, never through matplotlib's global
rcParams."""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from coderai_desktop.domain.agreement import Verdict

WIDTH, HEIGHT = 4.2, 3.0  # inches: 420 x 300 pixels at DPI
DPI = 100
FONT = "DejaVu Sans"
TITLE_SIZE, LABEL_SIZE, TICK_SIZE, NOTE_SIZE = 10.0, 8.5, 8.0, 7.5

TEXT = "#2b2b2b"
MUTED = "#6e6e6e"
AXIS = "#b5b5b5"
GRID = "#e8e8e8"
PRIMARY = "#3a6ea5"  # bars, points: a calm blue
PRIMARY_LIGHT = "#a9c3e0"
VERDICT_COLOURS = {
    Verdict.READY: "#2e8540",
    Verdict.TENTATIVE: "#e09b00",
    Verdict.NEEDS_WORK: "#c4372c",
    Verdict.TOO_FEW: "#9a9a9a",
    Verdict.NOT_MEASURED: "#9a9a9a",
}
VERDICT_WORDS = {
    Verdict.READY: "ready",
    Verdict.TENTATIVE: "tentative",
    Verdict.NEEDS_WORK: "needs work",
    Verdict.TOO_FEW: "too few units",
}


def text_style(size: float = LABEL_SIZE, colour: str = TEXT, **more: Any) -> dict[str, Any]:
    return {"fontfamily": FONT, "fontsize": size, "color": colour, **more}


def new_figure(title: str, width: float = WIDTH, height: float = HEIGHT) -> Figure:
    """A white figure with its title at the top left; constrained layout keeps labels inside it."""
    figure = Figure(figsize=(width, height), dpi=DPI, facecolor="white", layout="constrained")
    figure.get_layout_engine().set(w_pad=0.1, h_pad=0.06)  # type: ignore[union-attr, call-arg]
    figure.suptitle(title, x=0.02, ha="left", **text_style(TITLE_SIZE, weight="bold"))
    return figure


def style_axes(axes: Axes, grid: str | None = None) -> None:
    """Light axes: no top or right frame, grey ticks, an optional faint grid ("x" or "y") behind the data."""
    axes.set_facecolor("white")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(AXIS)
    axes.tick_params(labelsize=TICK_SIZE, labelcolor=TEXT, color=AXIS, length=3)
    if grid is not None:
        axes.grid(True, axis=grid, color=GRID, linewidth=0.8)  # type: ignore[arg-type]
        axes.set_axisbelow(True)


def finish(figure: Figure) -> Figure:
    """Tick labels in the charts' font (set last: setting ticks makes new labels)."""
    for axes in figure.axes:
        for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
            label.set_fontfamily(FONT)
    return figure


def label_axes(axes: Axes, x: str | None = None, y: str | None = None) -> None:
    if x is not None:
        axes.set_xlabel(x, **text_style())
    if y is not None:
        axes.set_ylabel(y, **text_style())


def note(axes: Axes, text: str) -> None:
    """A grey line under the figure's title, above the axes (layout keeps room for it)."""
    axes.set_title(text, loc="left", **text_style(NOTE_SIZE, MUTED))


def no_data(title: str, message: str) -> Figure:
    """A figure that says why there is nothing to draw."""
    figure = new_figure(title)
    figure.text(0.5, 0.45, message, ha="center", va="center", wrap=True, **text_style(9.0, MUTED))
    return figure


def truncate(text: str, width: int = 18) -> str:
    """One line of at most `width` characters, with an ellipsis when cut."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def count_text(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
