"""The codebook document's figures: the very charts the Quality page draws (coderai_desktop.charts), as PNG
images at print resolution. matplotlib is imported only when a codebook with figures is written."""

from __future__ import annotations

from coderai_desktop.domain.agreement import TENTATIVE_FLOOR, AgreementReport
from coderai_desktop.domain.quality import VariableQuality
from coderai_desktop.export.writers.codebook_render import Figure

DPI = 200  # 840 x 600 pixels for a 4.2 x 3 inch chart: sharp at the page's width


def agreement_figure(report: AgreementReport) -> Figure:
    from coderai_desktop.charts import agreement_chart, png

    caption = (
        "Agreement between the AI and the researchers per variable: reliability with its 95% interval, "
        f"coloured by verdict; the solid line is the project's level ({report.level:g}), the dashed one the "
        f"floor for tentative conclusions ({TENTATIVE_FLOOR:g})."
    )
    return Figure(png(agreement_chart(report), dpi=DPI), caption, "agreement")


def values_figure(item: VariableQuality) -> Figure:
    from coderai_desktop.charts import distribution_chart, png

    caption = f"The values of {item.name} in the dataset (the researchers' corrections applied)."
    return Figure(
        png(distribution_chart(item.distribution, item.label), dpi=DPI), caption, f"{item.name}-values"
    )


def agreement_figures(item: VariableQuality) -> list[Figure]:
    """The calibration chart (when reviewed values stated a confidence) and the confusion matrix (a category
    or yes/no variable whose values were compared)."""
    from coderai_desktop.charts import calibration_chart, confusion_chart, png

    figures = []
    calibration = item.agreement.calibration
    if calibration is not None and calibration.n > 0:
        caption = (
            f"How far the model's confidence in {item.name} can be trusted: the share of reviewed values "
            "judged correct against the confidence the model stated, by band, next to the diagonal of a "
            "perfectly calibrated model; the dotted line is the variable's confidence threshold."
        )
        chart = calibration_chart(calibration, item.label)
        figures.append(Figure(png(chart, dpi=DPI), caption, f"{item.name}-calibration"))
    if item.confusion is not None and item.confusion.n > 0:
        caption = (
            f"The AI's values of {item.name} (columns) against the researchers' (rows), in units; the "
            "diagonal is agreement."
        )
        chart = confusion_chart(item.confusion, item.label)
        figures.append(Figure(png(chart, dpi=DPI), caption, f"{item.name}-confusion"))
    return figures
