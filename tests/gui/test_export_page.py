"""The Export page: a preview of the table that will be written, options that change it, and a file written
where the researcher said (asking before replacing one)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.export.model import ExportFormat
from coderai_desktop.ui.export.page import ExportPage
from tests.gui.conftest import DOCUMENTS, VARIABLES, click_button, wait_for_message

NAMES = [variable.name for variable in VARIABLES]


@pytest.fixture
def coded_project(context, alice, run, plans_project: ProjectSummary) -> ProjectSummary:
    jobs = context.jobs(alice)
    job = run(jobs.start(plans_project.id))
    run(jobs.run(job.id))
    return plans_project


@pytest.fixture
def page(qtbot: Any, context, alice, runner, coded_project: ProjectSummary, tmp_path: Path) -> ExportPage:
    widget = ExportPage(context.exports(alice), runner)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    widget.show_project(coded_project)
    widget.path_edit.setText(str(tmp_path / "plans.csv"))
    qtbot.waitUntil(lambda: widget.preview_model.rowCount() == DOCUMENTS, timeout=10_000)
    return widget


def choose(page: ExportPage, kind: ExportFormat) -> None:
    page.format_combo.setCurrentIndex(page.format_combo.findData(kind.value))


def test_the_preview_shows_what_will_be_written(qtbot, page: ExportPage) -> None:
    assert page.preview_model.headers == ("document", "document_id", *NAMES)
    assert page.summary_label.text() == f"{DOCUMENTS} rows × {2 + len(NAMES)} columns"
    document, title = (page.preview_model.data(page.preview_model.index(0, column)) for column in (0, 2))
    assert title == f"Green Plan {document.removeprefix('plan_').removesuffix('.txt')}"

    page.details_box.setChecked(True)
    qtbot.waitUntil(lambda: "title_evidence" in page.preview_model.headers, timeout=10_000)
    choose(page, ExportFormat.CSV_LONG)
    qtbot.waitUntil(lambda: "variable" in page.preview_model.headers, timeout=10_000)
    assert page.preview_model.rowCount() == DOCUMENTS * len(NAMES)
    assert page.path_edit.text().endswith("plans.csv") and not page.expand_box.isEnabled()
    page.confidence_box.setChecked(True)
    page.confidence_spin.setValue(1.0)  # nothing is that certain
    qtbot.waitUntil(lambda: page.preview_model.rowCount() == 0, timeout=10_000)
    assert page.summary_label.text().startswith("Nothing to export with these choices yet")


def test_export_writes_the_file_and_its_codebook_and_asks_before_replacing(
    qtbot, page: ExportPage, tmp_path: Path
) -> None:
    choose(page, ExportFormat.XLSX)
    assert page.path_edit.text() == str(tmp_path / "plans.xlsx") and not page.bom_box.isEnabled()
    page.export_button.click()
    qtbot.waitUntil(lambda: page.result_label.text().startswith("Wrote"), timeout=20_000)
    assert page.result_label.text() == (
        f"Wrote {DOCUMENTS} rows and {2 + len(NAMES)} columns to {tmp_path / 'plans.xlsx'} and the codebook "
        "to plans_codebook.docx."
    )
    assert page.open_button.isVisible()
    sheet = openpyxl.load_workbook(tmp_path / "plans.xlsx")["Data"]
    assert [cell.value for cell in sheet[1]] == ["document", "document_id", *NAMES]
    assert (tmp_path / "plans_codebook.docx").stat().st_size > 0

    choose(page, ExportFormat.CSV)
    page.codebook_box.setChecked(False)
    page.bom_box.setChecked(True)
    (tmp_path / "plans.csv").write_text("an older export", encoding="utf-8")
    page.export_button.click()
    box = wait_for_message(qtbot)
    assert box.text() == f"plans.csv already exists in {tmp_path}. Replace it?"
    click_button(box, "Replace")
    qtbot.waitUntil(
        lambda: page.result_label.text().startswith(
            f"Wrote {DOCUMENTS} rows and 4 columns to {tmp_path / 'plans.csv'}."
        ),
        timeout=20_000,
    )
    raw = (tmp_path / "plans.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte order mark, for Excel"
    with (tmp_path / "plans.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert len(list(csv.DictReader(stream))) == DOCUMENTS


def test_a_folder_that_cannot_be_written_is_reported(qtbot, page: ExportPage, tmp_path: Path) -> None:
    page.path_edit.setText(str(tmp_path / "no such folder" / "plans.csv"))
    page.export_button.click()
    box = wait_for_message(qtbot)
    assert box.text().startswith(f"Cannot write in {tmp_path / 'no such folder'}: No such file")
    click_button(box, "OK")
    assert page.export_button.isEnabled() and page.result_label.text() == ""
