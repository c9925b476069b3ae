"""The evidence panel beside the results grid: the passage a value came from, highlighted in the document's
text (or on its PDF page), and how the value came."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from PySide6.QtCore import QPoint, Qt

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import ValueEvidence
from coderai_desktop.domain.enums import ExtractionStatus, FeedbackType, MatchStatus
from coderai_desktop.page_images import render_page
from coderai_desktop.ui.results.evidence_panel import (
    EMPTY_TEXT,
    NO_QUOTE,
    NOT_FOUND,
    PAGE,
    TEXT,
    EvidencePanel,
)
from tests.fakes.documents import paragraphs, pdf_file

SIZE = (420, 700)
ZOOM = 1.5
LINES = [f"Line {number}: the council met and discussed the annual budget." for number in range(5000)]
LONG_TEXT = "\n".join(LINES)


def at_line(number: int) -> int:
    return sum(len(line) + 1 for line in LINES[:number])


def evidence(**changes: Any) -> ValueEvidence:
    start = at_line(4000)  # 80% of the way down
    base = ValueEvidence(
        extraction_id=7,
        document_id=3,
        document="minutes.pdf",
        variable="budget",
        entity_text=None,
        value=1500,
        confidence=0.62,
        threshold=0.7,
        quote=LINES[4000],
        match_status=MatchStatus.EXACT,
        char_start=start,
        char_end=start + len(LINES[4000]),
        page=12,
        status=ExtractionStatus.FLAGGED,
        note="confidence below the threshold",
        model="gpt-4o-mini",
        prompt_version=3,
        job_id=12,
        job_type="SAMPLE",
        text=LONG_TEXT,
        page_offsets=[0],
        has_page_image=True,
    )
    return replace(base, **changes)


@pytest.fixture
def panel(qtbot: Any) -> EvidencePanel:
    widget = EvidencePanel()
    qtbot.addWidget(widget)
    widget.resize(*SIZE)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def highlighted(panel: EvidencePanel) -> tuple[int, int]:
    (selection,) = panel.text_view.extraSelections()
    return selection.cursor.selectionStart(), selection.cursor.selectionEnd()


def visible_range(panel: EvidencePanel) -> tuple[int, int]:
    """The first and last text positions the view shows."""
    viewport = panel.text_view.viewport()
    top = panel.text_view.cursorForPosition(QPoint(0, 0)).position()
    bottom = panel.text_view.cursorForPosition(QPoint(viewport.width() - 1, viewport.height() - 1))
    return top, bottom.position()


def test_without_a_value_it_says_what_it_is_for(panel: EvidencePanel) -> None:
    panel.show_evidence(None)
    assert panel.stack.currentWidget() is panel.empty_label
    assert panel.empty_label.text() == EMPTY_TEXT


def test_the_passage_is_highlighted_exactly_and_scrolled_into_the_middle(panel: EvidencePanel) -> None:
    shown = evidence()
    panel.show_evidence(shown)
    assert panel.stack.currentIndex() == 1
    assert highlighted(panel) == (shown.char_start, shown.char_end)
    top, bottom = visible_range(panel)
    assert top <= shown.char_start and shown.char_end <= bottom
    assert top > at_line(3900)  # scrolled there, not a view that happens to be tall enough
    middle = panel.text_view.viewport().height() // 2
    line_height = panel.text_view.fontMetrics().lineSpacing()
    passage_top = panel.text_view.cursorRect(panel.text_view.textCursor()).top()
    assert abs(passage_top - middle) < 3 * line_height


def test_offsets_count_characters_beyond_the_basic_plane_once(panel: EvidencePanel) -> None:
    """Python counts an emoji (or a rare CJK character) as one character, Qt as two."""
    text = "Vote 👍🏽 passed. The budget is 1,500 EUR 𠀋 in total."
    start = text.index("The budget")
    end = text.index(" in total")
    panel.show_evidence(evidence(text=text, char_start=start, char_end=end, quote=text[start:end]))
    (selection,) = panel.text_view.extraSelections()
    assert selection.cursor.selectedText() == text[start:end]


def test_a_passage_taller_than_the_view_starts_at_its_top(panel: EvidencePanel) -> None:
    start, end = at_line(3000), at_line(3300)
    panel.show_evidence(evidence(char_start=start, char_end=end, quote=LONG_TEXT[start:end]))
    assert highlighted(panel) == (start, end)
    top, bottom = visible_range(panel)
    assert top <= start <= bottom
    assert start - top < 2 * len(LINES[0])  # its first line at the top, not in the middle


def test_values_of_one_document_move_the_highlight_without_reloading_the_text(
    qtbot: Any, panel: EvidencePanel
) -> None:
    panel.show_evidence(evidence())
    document = panel.text_view.document()
    revision = document.revision()
    other = evidence(extraction_id=8, variable="date", char_start=at_line(10), char_end=at_line(11) - 1)
    with qtbot.assertNotEmitted(document.contentsChanged):
        panel.show_evidence(other)
        panel.show_evidence(None)
        panel.show_evidence(other)
    assert panel.text_view.document() is document and document.revision() == revision
    assert highlighted(panel) == (at_line(10), at_line(11) - 1)
    top, _ = visible_range(panel)
    assert top <= at_line(10)

    with qtbot.waitSignal(document.contentsChanged):
        panel.show_evidence(evidence(document_id=4, text="Another document.", char_start=0, char_end=7))
    assert panel.text_view.toPlainText() == "Another document."


def test_a_quote_not_found_in_the_text_is_a_visible_warning_with_the_quote(panel: EvidencePanel) -> None:
    panel.show_evidence(
        evidence(
            match_status=MatchStatus.NOT_FOUND, char_start=None, char_end=None, quote="a budget of 9 EUR"
        )
    )
    assert panel.quote_problem_label.isVisible()
    assert panel.quote_problem_label.text() == NOT_FOUND
    assert panel.quote_label.isVisible() and "a budget of 9 EUR" in panel.quote_label.text()
    assert panel.text_view.extraSelections() == []
    assert panel.text_view.toPlainText() == LONG_TEXT  # the text is still there to check against


def test_a_value_without_a_quote_says_so(panel: EvidencePanel) -> None:
    panel.show_evidence(
        evidence(match_status=MatchStatus.NO_QUOTE, quote=None, char_start=None, char_end=None)
    )
    assert panel.quote_problem_label.isVisible() and panel.quote_problem_label.text() == NO_QUOTE
    assert not panel.quote_label.isVisible()


def test_a_located_quote_shows_no_warning(panel: EvidencePanel) -> None:
    panel.show_evidence(evidence(status=ExtractionStatus.VALIDATED, note=None, confidence=0.9))
    assert not panel.quote_problem_label.isVisible()
    assert not panel.quote_label.isVisible()
    assert not panel.flag_label.isVisible()
    assert panel.confidence_label.text() == "Confidence 0.90 (threshold 0.70)"


def test_an_approximate_match_shows_what_the_model_quoted(panel: EvidencePanel) -> None:
    panel.show_evidence(evidence(match_status=MatchStatus.FUZZY, quote="the counsel met"))
    assert not panel.quote_problem_label.isVisible()
    assert "the counsel met" in panel.quote_label.text()


def test_the_header_says_how_the_value_came(panel: EvidencePanel) -> None:
    panel.show_evidence(evidence(entity_text="Ministry of Finance"))
    assert panel.title_label.text() == "budget · minutes.pdf · Ministry of Finance"
    assert panel.value_label.text() == "1500"
    assert panel.confidence_label.text() == "Confidence 0.62 (threshold 0.70): below the threshold"
    assert panel.flag_label.text() == "Flagged for review: confidence below the threshold"
    provenance = panel.provenance_label.text()
    for part in ("gpt-4o-mini", "prompt version 3", "run #12", "(sample)", "page 12"):
        assert part in provenance

    panel.show_evidence(evidence(status=ExtractionStatus.FAILED, note=None, value=None, confidence=None))
    assert panel.flag_label.text() == "The model gave no usable answer."
    assert panel.value_label.text() == "No value"
    assert panel.confidence_label.text() == "No confidence given (threshold 0.70)"


def test_a_reviewed_value_says_who_reviewed_it_and_what_the_model_said(panel: EvidencePanel) -> None:
    panel.show_evidence(evidence())
    assert panel.review_label.isHidden() and not panel.flag_label.isHidden()
    corrected = evidence(value=2000, ai_value=1500, feedback=FeedbackType.INCORRECT, reviewed_by="ana")
    panel.show_evidence(corrected)
    assert panel.value_label.text() == "2000"
    assert panel.review_label.text() == "Corrected by ana; the model said 1500."
    assert panel.flag_label.isHidden()  # the review settled the flag
    panel.show_evidence(evidence(feedback=FeedbackType.CORRECT, reviewed_by="ben", review_note="see p. 2"))
    assert panel.review_label.text() == "Confirmed by ben. Note: see p. 2"
    # As the grid shows values: yes/no, a category's label.
    panel.set_variables([VariableSpec(name="budget", type="boolean", instructions="Is there a budget?")])
    panel.show_evidence(
        evidence(value=False, ai_value=True, feedback=FeedbackType.INCORRECT, reviewed_by="ana")
    )
    assert (panel.value_label.text(), panel.review_label.text()) == (
        "No",
        "Corrected by ana; the model said Yes.",
    )


def test_long_values_and_words_keep_the_panel_narrow(panel: EvidencePanel) -> None:
    url = "https://example.org/" + "x" * 600
    panel.show_evidence(evidence(value=url, quote=url, match_status=MatchStatus.NOT_FOUND, char_start=None))
    assert panel.minimumSizeHint().width() < 350
    assert len(panel.value_label.text()) <= 400 and panel.value_label.toolTip() == url


def test_the_page_button_needs_a_page_image(panel: EvidencePanel) -> None:
    panel.show_evidence(evidence(has_page_image=False))
    assert not panel.page_button.isEnabled()
    panel.show_evidence(evidence())
    assert panel.page_button.isEnabled() and panel.page_button.text() == "Show page 12"


@pytest.fixture
def page_png(tmp_path: Path) -> tuple[bytes, float]:
    """A real rendered page whose passage is in its lower half, and the passage's height on it (pixels)."""
    quote = "the regional council approved the annual budget after a long debate"
    text = f"{paragraphs(5, 6, words=(60, 80))}\n\nIn the end {quote}.\n\n{paragraphs(6, 1)}"
    path = pdf_file(tmp_path, "minutes.pdf", [text])
    with pymupdf.open(path) as document:
        (where,) = document[0].search_for(quote)
    return render_page(str(path), 1, quote, zoom=ZOOM), where.y0 * ZOOM


def test_the_page_is_asked_for_once_and_shown_instead_of_the_text(
    qtbot: Any, panel: EvidencePanel, page_png: tuple[bytes, float]
) -> None:
    png, passage_y = page_png
    panel.show_evidence(evidence())
    with qtbot.waitSignal(panel.sig_page_requested) as request:
        qtbot.mouseClick(panel.page_button, Qt.MouseButton.LeftButton)
    assert request.args == [7]
    assert panel.views.currentIndex() == PAGE and panel.page_label.text() == "Drawing the page…"

    panel.show_page_image(7, png)
    assert not panel.page_label.pixmap().isNull()
    assert panel.page_label.pixmap().width() > 800
    assert panel.page_button.text() == "Show text" and panel.page_button.isChecked()
    scroll = panel.page_area.verticalScrollBar()
    assert passage_y > panel.page_area.viewport().height()  # below the first screenful
    assert scroll.value() < passage_y < scroll.value() + panel.page_area.viewport().height()

    qtbot.mouseClick(panel.page_button, Qt.MouseButton.LeftButton)
    assert panel.views.currentIndex() == TEXT and panel.page_button.text() == "Show page 12"
    with qtbot.assertNotEmitted(panel.sig_page_requested):
        qtbot.mouseClick(panel.page_button, Qt.MouseButton.LeftButton)
    assert panel.views.currentIndex() == PAGE and not panel.page_label.pixmap().isNull()

    panel.show_evidence(evidence(extraction_id=8))  # another value: its own page, and the text first
    assert panel.views.currentIndex() == TEXT and not panel.page_button.isChecked()
    with qtbot.waitSignal(panel.sig_page_requested) as request:
        qtbot.mouseClick(panel.page_button, Qt.MouseButton.LeftButton)
    assert request.args == [8]


def test_a_late_page_for_another_value_is_dropped(
    qtbot: Any, panel: EvidencePanel, page_png: tuple[bytes, float]
) -> None:
    panel.show_evidence(evidence())
    panel.page_button.click()
    panel.show_evidence(evidence(extraction_id=8))
    with qtbot.waitSignal(panel.sig_page_requested) as request:
        panel.page_button.click()
    panel.show_page_image(7, page_png[0])
    panel.show_page_problem("Page 12 of this PDF is damaged.", extraction_id=7)
    assert request.args == [8]
    assert panel.views.currentIndex() == PAGE and panel.page_label.pixmap().isNull()  # still waiting for 8
    assert not panel.page_problem_label.isVisible()


def test_a_page_that_cannot_be_drawn_says_why_and_the_text_comes_back(panel: EvidencePanel) -> None:
    panel.show_evidence(evidence())
    panel.page_button.click()
    panel.show_page_problem("This PDF is encrypted: its pages cannot be shown, only its text.")
    assert panel.page_problem_label.isVisible() and "encrypted" in panel.page_problem_label.text()
    assert panel.views.currentIndex() == TEXT and not panel.page_button.isChecked()

    panel.page_button.click()
    assert not panel.page_problem_label.isVisible()  # asked again: the old problem goes
    panel.show_page_image(7, b"not a png")
    assert panel.page_problem_label.isVisible() and panel.views.currentIndex() == TEXT


def test_a_value_shared_from_a_near_duplicate_says_so(panel: EvidencePanel) -> None:
    panel.show_evidence(evidence())
    assert "same text" not in panel.provenance_label.text()
    panel.show_evidence(evidence(shared_from="minutes (scan).pdf"))
    assert panel.provenance_label.text().endswith(" · coded once with minutes (scan).pdf (same text)")
