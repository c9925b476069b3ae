"""Charts of a project's quality, drawn with matplotlib: the same figures in the window's Quality page and in
the exported codebook document.

Each chart is a pure function of domain data returning a `matplotlib.figure.Figure` (never pyplot: its global
state is not thread-safe, and a figure may be built on a worker thread); `png(figure)` renders one. A chart
with nothing to show says so in the figure instead of raising. Importing this package imports matplotlib
(about 0.3 s): its users import it when they first draw, not at start-up.

    from coderai_desktop.charts import agreement_chart, png
    data = png(agreement_chart(report), dpi=200)
"""

from __future__ import annotations

from coderai_desktop.charts.agreement import agreement_chart
from coderai_desktop.charts.calibration import calibration_chart
from coderai_desktop.charts.confusion import confusion_chart
from coderai_desktop.charts.distribution import distribution_chart
from coderai_desktop.charts.render import png

__all__ = ["agreement_chart", "calibration_chart", "confusion_chart", "distribution_chart", "png"]
