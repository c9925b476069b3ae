"""The Documents page: import by drop and dialogs, progress, failures a person can fix, preview, delete."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QInputDialog

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.ui.documents.page import DocumentsPage
from coderai_desktop.ui.documents.spreadsheet_dialog import SpreadsheetDialog
from coderai_desktop.ui.documents.table_model import COL_SAME_AS
from tests.gui.conftest import click_button, visible, wait_for_message

PASSWORD = "æøå-secret"


@pytest.fixture
def page(qtbot: Any, context, alice, runner, run) -> DocumentsPage:
    project = run(context.projects(alice).create_project(ProjectContext(name="Corpus")))
    widget = DocumentsPage(context.documents(alice), runner)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    widget.show_project(project)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    return widget


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "nested").mkdir(parents=True)
    (corpus / "minutes.txt").write_text(
        "The council met on 3 May 2021 and adopted the plan.", encoding="utf-8"
    )
    (corpus / "nested" / "page.html").write_text("<title>Plan</title><p>Emissions fall 40% by 2030.</p>")
    (corpus / "photo.png").write_bytes(b"\x89PNG")
    document = pymupdf.open()
    document.new_page().insert_text((72, 72), "Confidential budget of the city")
    document.save(
        corpus / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=PASSWORD, owner_pw="owner"
    )
    return corpus


def import_and_wait(qtbot: Any, page: DocumentsPage, paths: list[Path]) -> None:
    page.import_paths(paths)
    qtbot.waitUntil(lambda: not page.importing, timeout=60_000)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)


def row_named(page: DocumentsPage, name: str) -> int:
    return next(row for row, document in enumerate(page.model.rows()) if document.file_name == name)


def test_a_project_without_documents_invites_a_drop(page) -> None:
    assert page.stack.currentWidget() is page.empty
    assert page.add_files_button.isEnabled()
    assert not page.delete_button.isEnabled() and not page.password_button.isEnabled()


def test_importing_a_folder_lists_every_document_and_reports_what_failed(qtbot, page, folder) -> None:
    with qtbot.waitSignal(page.sig_project_changed, timeout=60_000):
        page.import_paths([folder])
        assert page.progress_row.isVisible()
        assert not page.add_files_button.isEnabled(), "one import at a time"
    report = wait_for_message(qtbot)
    assert "2 imported" in report.text() and "1 failed" in report.text() and "1 skipped" in report.text()
    assert "locked.pdf: failed, Password required" in report.detailedText()
    assert "photo.png: skipped" in report.detailedText()
    report.close()
    # Lists shown while the import ran may arrive first: wait for the final one.
    qtbot.waitUntil(lambda: page.count_label.text() == "Documents: 3 (2 ready)", timeout=10_000)
    assert not page.progress_row.isVisible()


def test_selecting_a_document_shows_its_text(qtbot, page, folder) -> None:
    import_and_wait(qtbot, page, [folder / "minutes.txt"])
    page.table.selectRow(row_named(page, "minutes.txt"))
    qtbot.waitUntil(lambda: "adopted the plan" in page.preview.toPlainText(), timeout=10_000)
    assert "minutes.txt" in page.preview_label.text()


def test_an_encrypted_pdf_is_read_once_its_password_is_given(qtbot, page, folder, monkeypatch) -> None:
    import_and_wait(qtbot, page, [folder / "locked.pdf"])
    page.table.selectRow(row_named(page, "locked.pdf"))
    assert "Password required" in page.preview_label.text()
    assert page.password_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: (PASSWORD, True))
    page.password_button.click()
    qtbot.waitUntil(lambda: not page.importing, timeout=60_000)
    qtbot.waitUntil(lambda: page.model.rows()[0].status is DocumentStatus.READY, timeout=10_000)
    document = page.model.rows()[0]
    assert document.file_name == "locked.pdf" and document.error_message is None


def test_dropped_local_files_are_imported_and_other_urls_ignored(qtbot, page, folder) -> None:
    remote = QMimeData()
    remote.setUrls([QUrl("https://example.org/report.pdf")])
    page.dropEvent(
        QDropEvent(
            QPointF(5, 5),
            Qt.DropAction.CopyAction,
            remote,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    )
    assert not page.importing
    local = QMimeData()
    local.setUrls([QUrl.fromLocalFile(str(folder / "minutes.txt"))])
    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        local,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(drop)
    assert page.importing
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not page.importing, timeout=60_000)


def test_deleting_documents_asks_first(qtbot, page, folder) -> None:
    import_and_wait(qtbot, page, [folder / "minutes.txt"])
    page.table.selectRow(0)
    page.delete_button.click()
    click_button(wait_for_message(qtbot), "Delete")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    assert page.stack.currentWidget() is page.empty


def test_a_spreadsheet_asks_for_its_text_column(qtbot, page, tmp_path, monkeypatch) -> None:
    sheet = tmp_path / "survey.csv"
    sheet.write_text("id;answer;age\n1;I walk to work;34\n2;I take the bus;51\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(sheet), ""))
    page.add_sheet_button.click()
    dialog = visible(SpreadsheetDialog)[0]
    assert dialog.text_column() == "answer", "a column named like text is chosen for the person"
    dialog.accept()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and not page.importing, timeout=60_000)
    names = sorted(document.file_name for document in page.model.rows())
    assert names == ["survey.csv row 2", "survey.csv row 3"]


@pytest.mark.parametrize("kind", ["damaged", "named pipe"])
def test_a_spreadsheet_that_cannot_be_read_gets_a_message_not_a_traceback(
    qtbot, page, tmp_path, monkeypatch, kind
) -> None:
    sheet = tmp_path / "survey.xlsx"
    if kind == "damaged":
        sheet.write_bytes(b"PK\x03\x04 not really a workbook")
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("named pipes are POSIX")
        os.mkfifo(sheet)  # reading it would never end: the window would freeze
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(sheet), ""))
    hooked: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, trace: hooked.append(error))
    page.add_sheet_button.click()
    box = wait_for_message(qtbot)
    shown = box.windowTitle(), box.text() + box.informativeText()
    box.close()
    expected = "damaged" if kind == "damaged" else "a named pipe, not a regular file"
    assert shown[0] == "The spreadsheet cannot be read" and expected in shown[1], shown
    assert hooked == [] and visible(SpreadsheetDialog) == []


def test_cancelling_an_import_keeps_what_was_read(qtbot, page, tmp_path) -> None:
    many = tmp_path / "many"
    many.mkdir()
    for number in range(40):
        (many / f"note{number:02}.txt").write_text(
            f"Note number {number} about the budget.", encoding="utf-8"
        )
    page.import_paths([many])
    qtbot.waitUntil(lambda: page.progress_bar.value() >= 2, timeout=60_000)
    page.cancel_button.click()
    qtbot.waitUntil(lambda: not page.importing, timeout=30_000)
    assert not page.progress_row.isVisible()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 2, timeout=10_000)
    assert page.model.rowCount() < 40 or all(d.status is DocumentStatus.READY for d in page.model.rows())


ANSWER = "The rent takes half of what we earn, and food prices keep rising every month this year."


def same_as(page: DocumentsPage, name: str) -> str:
    return str(page.model.index(row_named(page, name), COL_SAME_AS).data())


def test_a_copy_says_which_document_it_repeats_and_can_be_coded_separately(
    qtbot: Any, page: DocumentsPage, tmp_path: Path
) -> None:
    (tmp_path / "answer.txt").write_text(ANSWER, encoding="utf-8")
    (tmp_path / "answer pasted again.txt").write_text(f"  {ANSWER.upper()}\n\n", encoding="utf-8")
    (tmp_path / "other.txt").write_text("We moved to a cheaper flat outside the city last spring.")
    for name in (
        "answer.txt",
        "answer pasted again.txt",
        "other.txt",
    ):  # one by one: the first is the original
        import_and_wait(qtbot, page, [tmp_path / name])
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10_000)
    assert same_as(page, "answer pasted again.txt") == "answer.txt"
    assert same_as(page, "answer.txt") == same_as(page, "other.txt") == ""

    page.table.selectRow(row_named(page, "answer.txt"))
    assert not page.separately_button.isEnabled() and not page.once_button.isEnabled(), "an original"
    page.table.selectRow(row_named(page, "answer pasted again.txt"))
    assert page.separately_button.isEnabled() and not page.once_button.isEnabled()
    with qtbot.waitSignal(page.sig_project_changed, timeout=10_000):
        page.separately_button.click()
    qtbot.waitUntil(lambda: same_as(page, "answer pasted again.txt") == "answer.txt (coded separately)")

    page.table.selectRow(row_named(page, "answer pasted again.txt"))
    assert page.once_button.isEnabled() and not page.separately_button.isEnabled()
    with qtbot.waitSignal(page.sig_project_changed, timeout=10_000):
        page.once_button.click()
    qtbot.waitUntil(lambda: same_as(page, "answer pasted again.txt") == "answer.txt")
