"""Help > Report a problem: the dialog shows the files and the summary first, then saves the zip where the
person chooses and offers to open its folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from coderai_desktop.ui.main_window import MainWindow
from coderai_desktop.ui.report_problem import ReportProblemDialog
from tests.gui.conftest import click_button, visible, wait_for_message


def open_report_dialog(qtbot, context, alice, runner, ui_state) -> ReportProblemDialog:
    window = MainWindow(context, alice, runner, ui_state)
    qtbot.addWidget(window)
    window.show()
    window.report_problem_action.trigger()
    (dialog,) = visible(ReportProblemDialog)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=10_000)
    return dialog


def test_the_report_is_shown_then_saved_where_the_person_chooses(
    qtbot, context, alice, runner, ui_state, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dialog = open_report_dialog(qtbot, context, alice, runner, ui_state)
    listed = [dialog.files.topLevelItem(row).text(0) for row in range(dialog.files.topLevelItemCount())]
    assert listed == ["summary.txt", "logs/coderai.log"]
    summary = dialog.summary.toPlainText()
    assert "Those of the workspace of alice." in summary and "gpt-4o-mini" in summary
    assert ": up to date" in summary

    target = tmp_path / "sent" / "report"  # no extension: .zip is added
    target.parent.mkdir()
    offered: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: offered.append(args[2]) or (str(target), "")
    )
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    dialog.save_button.click()

    box = wait_for_message(qtbot)
    saved = tmp_path / "sent" / "report.zip"
    assert str(saved) in box.text()
    assert Path(offered[0]).name.startswith("coderai-diagnostics-")
    with zipfile.ZipFile(saved) as archive:
        assert archive.namelist() == listed
        assert archive.read("summary.txt").decode() == summary
    click_button(box, "Open Folder")
    assert opened == [str(saved.parent)]
    assert dialog.status_label.text() == f"Saved as {saved}."


def test_cancelling_the_save_dialog_saves_nothing(
    qtbot, context, alice, runner, ui_state, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dialog = open_report_dialog(qtbot, context, alice, runner, ui_state)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: ("", ""))
    dialog.save_button.click()
    qtbot.wait(100)
    assert not runner.busy and dialog.status_label.text() == ""
    assert list(tmp_path.rglob("*.zip")) == []
