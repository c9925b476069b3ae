"""Whether the model's confidence can be trusted for one variable: the accuracy of its reviewed values
against the confidence it stated, band by band, next to the line of a perfectly calibrated model."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from coderai_desktop.charts.style import (
    MUTED,
    NOTE_SIZE,
    PRIMARY,
    PRIMARY_LIGHT,
    VERDICT_COLOURS,
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
from coderai_desktop.domain.agreement import Calibration, Verdict

THRESHOLD_COLOUR = VERDICT_COLOURS[Verdict.TENTATIVE]


def calibration_chart(calibration: Calibration | None, variable: str) -> Figure:
    """Accuracy (share judged correct) against mean stated confidence, one point per confidence band that
    holds reviewed values (sized by how many), the diagonal where confidence would equal accuracy, and the
    variable's current threshold; underneath, the number of reviewed values in each band. The calibration
    error (ECE) is in the note under the title."""
    title = f"Confidence and accuracy: {truncate(variable, 30)}"
    bands = [
        band
        for band in (calibration.bands if calibration is not None else ())
        if band.n and band.accuracy is not None and band.mean_confidence is not None
    ]
    if calibration is None or not bands:
        return no_data(
            title, "No reviewed value with a confidence yet:\nreview some of this variable's values."
        )
    figure = new_figure(title)
    grid = figure.add_gridspec(2, 1, height_ratios=(3, 1))
    top = figure.add_subplot(grid[0])
    bottom = figure.add_subplot(grid[1], sharex=top)
    for axes in (top, bottom):
        style_axes(axes, grid="y")
    top.plot([0, 1], [0, 1], linestyle="--", color=MUTED, linewidth=1, label="perfectly calibrated")
    largest = max(band.n for band in bands)
    confidence = [float(band.mean_confidence or 0.0) for band in bands]
    accuracy = [float(band.accuracy or 0.0) for band in bands]
    top.plot(confidence, accuracy, color=PRIMARY, linewidth=1.2, zorder=2)
    top.scatter(
        confidence,
        accuracy,
        s=[18 + 90 * band.n / largest for band in bands],
        color=PRIMARY,
        edgecolors="white",
        linewidths=0.8,
        zorder=3,
        label="reviewed values",
    )
    if calibration.current_threshold is not None:
        for axes in (top, bottom):
            axes.axvline(calibration.current_threshold, color=THRESHOLD_COLOUR, linewidth=1.2, linestyle=":")
        top.plot(
            [],
            [],
            color=THRESHOLD_COLOUR,
            linestyle=":",
            label=f"threshold {calibration.current_threshold:g}",
        )
    top.set_xlim(0, 1)
    top.set_ylim(0, 1.04)
    top.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    top.tick_params(labelbottom=False)
    top.legend(loc="upper left", frameon=False, prop={"family": "DejaVu Sans", "size": NOTE_SIZE})
    label_axes(top, y="Share correct")
    bottom.bar(
        [(band.low + band.high) / 2 for band in bands],
        [band.n for band in bands],
        width=[(band.high - band.low) * 0.85 for band in bands],
        color=PRIMARY_LIGHT,
    )
    bottom.set_ylim(0, largest * 1.1)
    bottom.set_yticks([0, largest])  # the fullest band's count: the strip is too short for more ticks
    label_axes(bottom, x="Confidence the model stated", y="Values")
    error = "" if calibration.ece is None else f" · calibration error {calibration.ece:.2f}"
    note(top, f"{count_text(calibration.n, 'reviewed value')}{error}")
    top.title.set(**text_style(NOTE_SIZE, MUTED))
    return finish(figure)
