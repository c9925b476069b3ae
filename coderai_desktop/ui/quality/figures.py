"""The figures of the Quality page, built from its report off the GUI thread (charts/ draws them; the same
functions draw the exported codebook document's)."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from coderai_desktop.charts import agreement_chart, calibration_chart, confusion_chart, distribution_chart
from coderai_desktop.domain.quality import QualityReport


@dataclass(frozen=True)
class VariableFigures:
    variable: str
    calibration: Figure
    values: Figure
    confusion: Figure | None  # None for a variable that is not a category or a boolean


def overview_figure(report: QualityReport) -> Figure:
    return agreement_chart(report.agreement)


def variable_figures(report: QualityReport, variable: str) -> VariableFigures | None:
    chosen = report.get(variable)
    if chosen is None:
        return None
    categorical = chosen.type in ("category", "boolean")
    return VariableFigures(
        chosen.name,
        calibration_chart(chosen.agreement.calibration, chosen.label),
        distribution_chart(chosen.distribution, chosen.label),
        confusion_chart(chosen.confusion, chosen.label) if categorical else None,
    )
