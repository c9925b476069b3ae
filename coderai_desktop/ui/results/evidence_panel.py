"""The evidence panel beside the results grid: for the selected value, how it came (confidence, flags,
model, prompt, run) and the passage it came from, highlighted in the document's text or on the PDF page."""

from __future__ import annotations

import bisect
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QImage, QPixmap, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import ValueEvidence
from coderai_desktop.domain.enums import ExtractionStatus, FeedbackType, MatchStatus
from coderai_desktop.formatting import shorten
from coderai_desktop.spreadsheet_cells import cell_text
from coderai_desktop.ui.results.editors import display_text

EMPTY_TEXT = "Select a value to see the passage it came from."
NOT_FOUND = "The quote was not found in the document: check the value against the text."
NO_QUOTE = "The model gave no quote for this value."
FAILED = "The model gave no usable answer"
PASSAGE_COLOUR = QColor("#ffe58a")
VALUE_CHARACTERS = 400  # longer values are shortened here (in full in the tooltip and the grid)
ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # one character in Python, two (UTF-16) in Qt
PAGE, TEXT = range(2)  # what `views` shows


def wrapped_label(name: str = "") -> QLabel:
    """A label for text of any length: it wraps, and a long word (a URL) does not widen the panel."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # document and model text: never interpreted as HTML
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def confidence_line(evidence: ValueEvidence) -> str:
    threshold = f"threshold {evidence.threshold:.2f}"
    if evidence.confidence is None:
        return f"No confidence given ({threshold})"
    below = ": below the threshold" if evidence.confidence < evidence.threshold else ""
    return f"Confidence {evidence.confidence:.2f} ({threshold}){below}"


def flag_line(evidence: ValueEvidence) -> str:
    """Why the value needs a look, in plain words ('' when nothing was flagged, or a review settled it)."""
    if evidence.feedback is not None:
        return ""
    note = f": {evidence.note}" if evidence.note else "."
    if evidence.status is ExtractionStatus.FAILED:
        return FAILED + note
    if evidence.status is ExtractionStatus.FLAGGED:
        return "Flagged for review" + note
    return ""


def review_line(evidence: ValueEvidence, model_said: str) -> str:
    """'Corrected by ana; the model said 55.' ('' when nobody reviewed the value)."""
    if evidence.feedback is None:
        return ""
    by = f" by {evidence.reviewed_by}" if evidence.reviewed_by else ""
    note = f" Note: {evidence.review_note}" if evidence.review_note else ""
    if evidence.feedback is FeedbackType.CORRECT:
        return f"Confirmed{by}.{note}"
    said = model_said or "no value"
    partly = "Partly corrected" if evidence.feedback is FeedbackType.PARTIALLY_CORRECT else "Corrected"
    return f"{partly}{by}; the model said {said}.{note}"


def provenance_line(evidence: ValueEvidence) -> str:
    """'Coded by gpt-4o-mini with prompt version 3, run #12 (sample) · page 4'."""
    by = f"Coded by {evidence.model}" if evidence.model else "Coded by an unrecorded model"
    prompt = f" with prompt version {evidence.prompt_version}" if evidence.prompt_version is not None else ""
    run = f", run #{evidence.job_id} ({evidence.job_type.lower().replace('_', ' ')})"
    page = f" · page {evidence.page}" if evidence.page is not None else ""
    shared = f" · coded once with {evidence.shared_from} (same text)" if evidence.shared_from else ""
    return by + prompt + run + page + shared


def quote_problem(evidence: ValueEvidence) -> str:
    if evidence.match_status is MatchStatus.NO_QUOTE or not evidence.quote:
        return NO_QUOTE
    if evidence.match_status is MatchStatus.NOT_FOUND or not evidence.located:
        return NOT_FOUND
    return ""


class EvidencePanel(QWidget):
    sig_page_requested = Signal(int)
    """The page image of this value (its extraction id) is wanted: answer with show_page_image, or with
    show_page_problem."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._evidence: ValueEvidence | None = None
        self._specs: dict[str, VariableSpec] = {}
        self._document_id: int | None = None  # whose text the view holds
        self._text = ""
        self._astral: list[int] = []  # offsets of the characters Qt counts twice
        self._page_image: tuple[int, QPixmap] | None = None  # (extraction id, image): asked once

        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("emptyText")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.title_label = wrapped_label("sectionTitle")
        self.value_label = wrapped_label()
        font = self.value_label.font()
        font.setBold(True)
        self.value_label.setFont(font)
        self.confidence_label = wrapped_label("hint")
        self.flag_label = wrapped_label("error")
        self.review_label = wrapped_label()
        self.quote_problem_label = wrapped_label("error")
        self.quote_label = wrapped_label()
        self.provenance_label = wrapped_label("hint")
        self.page_problem_label = wrapped_label("error")

        self.page_button = QPushButton("Show page")
        self.page_button.setCheckable(True)
        self.page_button.toggled.connect(self._page_toggled)
        buttons = QHBoxLayout()
        buttons.addWidget(self.page_button)
        buttons.addStretch()

        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setUndoRedoEnabled(False)  # read-only: an undo stack would only hold a copy
        self.text_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.page_label = QLabel()
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setWordWrap(True)
        self.page_area = QScrollArea()
        self.page_area.setWidget(self.page_label)
        self.page_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.views = QStackedWidget()
        self.views.addWidget(self.page_area)
        self.views.addWidget(self.text_view)
        self.views.setCurrentIndex(TEXT)

        details = QWidget()
        layout = QVBoxLayout(details)
        layout.setContentsMargins(0, 0, 0, 0)
        for label in (
            self.title_label,
            self.value_label,
            self.confidence_label,
            self.review_label,
            self.flag_label,
            self.quote_problem_label,
            self.quote_label,
            self.provenance_label,
            self.page_problem_label,
        ):
            layout.addWidget(label)
        layout.addLayout(buttons)
        layout.addWidget(self.views, stretch=1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(details)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self.stack)

    def set_variables(self, variables: list[VariableSpec]) -> None:
        """The codebook, so that values read as the grid shows them (Yes/No, category labels)."""
        self._specs = {spec.name: spec for spec in variables}

    def shown(self, evidence: ValueEvidence, value: Any) -> str:
        spec = self._specs.get(evidence.variable)
        return display_text(spec, value) if spec is not None else cell_text(value)

    def show_evidence(self, evidence: ValueEvidence | None) -> None:
        self._evidence = evidence
        self._show_text()
        self.page_problem_label.hide()
        if evidence is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self._show_header(evidence)
        new_document = self._load_text(evidence)
        if evidence.located and evidence.char_start is not None and evidence.char_end is not None:
            self._highlight(evidence.char_start, evidence.char_end)
        else:
            self.text_view.setExtraSelections([])
            if new_document:
                self.text_view.moveCursor(QTextCursor.MoveOperation.Start)
        if self._page_image is not None and self._page_image[0] != evidence.extraction_id:
            self._page_image = None

    def show_page_image(self, extraction_id: int, png: bytes) -> None:
        """The page asked for by sig_page_requested; a late answer for another value is dropped."""
        if self._evidence is None or extraction_id != self._evidence.extraction_id:
            return
        pixmap = QPixmap()
        if not pixmap.loadFromData(png, "PNG"):
            self.show_page_problem("The page image could not be read; the text is shown instead.")
            return
        self._page_image = (extraction_id, pixmap)
        if self.page_button.isChecked():
            self._show_page(pixmap)

    def show_page_problem(self, text: str, extraction_id: int | None = None) -> None:
        """Why the page cannot be shown: said above the text, which comes back."""
        if self._evidence is None or extraction_id not in (None, self._evidence.extraction_id):
            return
        self.page_problem_label.setText(text)
        self.page_problem_label.show()
        self._show_text()

    # --- the header -------------------------------------------------------------------------------------

    def _show_header(self, evidence: ValueEvidence) -> None:
        where = f" · {evidence.entity_text}" if evidence.entity_text else ""
        self.title_label.setText(f"{evidence.variable} · {evidence.document}{where}")
        value = self.shown(evidence, evidence.value)
        self.value_label.setText(shorten(value, VALUE_CHARACTERS) if value else "No value")
        self.value_label.setToolTip(value if len(value) > VALUE_CHARACTERS else "")
        self.confidence_label.setText(confidence_line(evidence))
        self._set_shown(self.review_label, review_line(evidence, self.shown(evidence, evidence.ai_value)))
        self._set_shown(self.flag_label, flag_line(evidence))
        problem = quote_problem(evidence)
        self._set_shown(self.quote_problem_label, problem)
        approximate = evidence.match_status is MatchStatus.FUZZY
        quote = f"The model quoted: “{evidence.quote}”" if evidence.quote and (problem or approximate) else ""
        self._set_shown(self.quote_label, quote)
        self.provenance_label.setText(provenance_line(evidence))
        self.page_button.setEnabled(evidence.has_page_image)
        self.page_button.setToolTip(
            "The PDF page, with the passage highlighted."
            if evidence.has_page_image
            else "Only a PDF with a text layer can be shown as a page."
        )

    @staticmethod
    def _set_shown(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    # --- the text ---------------------------------------------------------------------------------------

    def _load_text(self, evidence: ValueEvidence) -> bool:
        """Put the document's text in the view unless it is there already (a megabyte takes a while to
        lay out, and values of one document are looked at one after the other). True if it was new."""
        if evidence.document_id == self._document_id and evidence.text == self._text:
            return False
        self._document_id, self._text = evidence.document_id, evidence.text
        self._astral = [match.start() for match in ASTRAL.finditer(evidence.text)]
        self.text_view.setPlainText(evidence.text)
        return True

    def _cursor(self, offset: int) -> QTextCursor:
        """A cursor at a character offset of the text (Python counts code points, Qt UTF-16 units)."""
        offset = max(0, min(offset, len(self._text)))
        cursor = QTextCursor(self.text_view.document())
        cursor.setPosition(offset + bisect.bisect_left(self._astral, offset))
        return cursor

    def _highlight(self, start: int, end: int) -> None:
        passage = self._cursor(start)
        passage.setPosition(self._cursor(end).position(), QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = passage
        colours = QTextCharFormat()
        colours.setBackground(PASSAGE_COLOUR)
        colours.setForeground(QColor(Qt.GlobalColor.black))  # legible on yellow in a dark theme too
        selection.format = colours
        self.text_view.setExtraSelections([selection])
        self._scroll_to(start, end)

    def _scroll_to(self, start: int, end: int) -> None:
        """The passage in the middle of the view; one taller than the view starts at its top."""
        view = self.text_view
        view.setTextCursor(self._cursor(start))
        view.centerCursor()  # lays out the lines around the passage, so that its height can be measured
        height = view.cursorRect(self._cursor(end)).bottom() - view.cursorRect(self._cursor(start)).top()
        if height < view.viewport().height():
            view.setTextCursor(self._cursor((start + end) // 2))
            view.centerCursor()
        else:
            view.moveCursor(QTextCursor.MoveOperation.End)  # from below, ensureCursorVisible puts it on top
            view.setTextCursor(self._cursor(start))
            view.ensureCursorVisible()

    # --- the page ---------------------------------------------------------------------------------------

    def _page_toggled(self, checked: bool) -> None:
        evidence = self._evidence
        if not checked or evidence is None:
            self._show_text()
            return
        self.page_problem_label.hide()
        if self._page_image is not None:
            self._show_page(self._page_image[1])
            return
        self._show_page(None)
        self.sig_page_requested.emit(evidence.extraction_id)

    def _show_page(self, pixmap: QPixmap | None) -> None:
        """The page image, or a line saying it is on its way."""
        if pixmap is None:
            self.page_label.setPixmap(QPixmap())
            self.page_label.setText("Drawing the page…")
        else:
            self.page_label.setPixmap(pixmap)
        self.page_label.adjustSize()
        self.views.setCurrentIndex(PAGE)
        self._set_button(True)
        if pixmap is not None and (top := highlight_top(pixmap.toImage())) is not None:
            self.page_area.ensureVisible(0, int(top * pixmap.height()), 0, self.page_area.height() // 2)

    def _show_text(self) -> None:
        self.views.setCurrentIndex(TEXT)
        self._set_button(False)

    def _set_button(self, page_shown: bool) -> None:
        self.page_button.blockSignals(True)  # set to what is shown, not a request
        self.page_button.setChecked(page_shown)
        self.page_button.blockSignals(False)
        page = f" {self._evidence.page}" if self._evidence is not None and self._evidence.page else ""
        self.page_button.setText("Show text" if page_shown else f"Show page{page}")


def highlight_top(image: QImage) -> float | None:
    """Where the first highlight is on a rendered page, as a fraction of its height. The page is black,
    grey and white but for the yellow highlight (and pictures), so a thumbnail's first row with a
    clearly yellow pixel finds it in a few milliseconds."""
    small = image.scaled(
        32,
        max(1, image.height() // 6),
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    for y in range(small.height()):
        for x in range(small.width()):
            colour = small.pixelColor(x, y)
            if colour.red() - colour.blue() > 40 and colour.green() - colour.blue() > 30:
                return y / small.height()
    return None
