"""The prompt history: every version of the project's prompts (why it was made, when, by whom, for which
model) and a side-by-side comparison of two of them, changed lines highlighted."""

from __future__ import annotations

import asyncio
import difflib
import html
import re
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count, local_time
from coderai_desktop.pipeline.prompt_lab import DiffRow, PromptLab, PromptVersionInfo, prompt_diff
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.tables import Index, ListTableModel, read_only_table

COL_SCOPE, COL_VERSION, COL_REASON, COL_DATE, COL_AUTHOR, COL_MODEL, COL_ACTIVE = range(7)
ROLE_VERSION = Qt.ItemDataRole.UserRole + 1
CONTEXT_LINES = 3  # unchanged lines kept around a change when the unchanged ones are folded
OLD_BACKGROUND, OLD_WORDS = "#fdecea", "#f5b7b1"
NEW_BACKGROUND, NEW_WORDS = "#e6f4ea", "#a8dab5"
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


class VersionsModel(ListTableModel[PromptVersionInfo]):
    headers = ("Call", "Version", "Why", "Date", "Author", "Model", "Active")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        version = self.item(index)
        if version is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                version.scope_key,
                str(version.version),
                version.reason_words,
                local_time(version.created_at),
                version.author or "—",
                f"{version.model}, temperature {version.temperature:g}",
                "active" if version.is_active else "",
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_REASON and version.reason_detail:
                return version.reason_detail
            if column == COL_SCOPE:
                return ", ".join(version.variables) or "entity identification"
        if role == ROLE_VERSION:
            return version
        return None


def version_label(version: PromptVersionInfo) -> str:
    active = ", active" if version.is_active else ""
    return f"{version.scope_key} v{version.version} ({version.reason_words}{active})"


def previous_of(version: PromptVersionInfo, versions: list[PromptVersionInfo]) -> PromptVersionInfo:
    """The version of the same call just before `version` (itself, when it is the first)."""
    earlier = [v for v in versions if v.scope_key == version.scope_key and v.version < version.version]
    return max(earlier, key=lambda v: v.version, default=version)


def diff_html(rows: list[DiffRow], old: str, new: str, *, whole: bool = False) -> str:
    """Two columns, the old version on the left: removed and changed lines in red, added and changed ones
    in green (the words that differ darker); long runs of unchanged lines folded unless `whole`."""
    cells: list[str] = []
    left = right = 0
    for at, (tag, old_line, new_line) in enumerate(rows):
        left += tag != "insert"
        right += tag != "delete"
        if tag == "equal" and not whole and _far_from_changes(rows, at):
            if at == 0 or not _far_from_changes(rows, at - 1):
                run = _folded_run(rows, at)
                cells.append(
                    f'<tr><td colspan="4" align="center" style="color:#5b6b78; background:#f3f6f8">'
                    f"⋯ {count(run, 'unchanged line')} ⋯</td></tr>"
                )
            continue
        old_html, new_html = _line_html(tag, old_line, new_line)
        old_color = OLD_BACKGROUND if tag in ("replace", "delete") else ""
        new_color = NEW_BACKGROUND if tag in ("replace", "insert") else ""
        cells.append(
            "<tr>"
            f'<td class="n" width="32" align="right" nowrap>{left if tag != "insert" else ""}</td>'
            f'<td class="t" width="50%" bgcolor="{old_color or "#ffffff"}">{old_html}</td>'
            f'<td class="n" width="32" align="right" nowrap>{right if tag != "delete" else ""}</td>'
            f'<td class="t" width="50%" bgcolor="{new_color or "#ffffff"}">{new_html}</td>'
            "</tr>"
        )
    return (
        "<style>td.t { white-space: pre-wrap; font-family: monospace; } "
        "td.n { color: #8a99a6; font-family: monospace; white-space: nowrap; } th { text-align: left; }</style>"
        '<table width="100%" cellspacing="0" cellpadding="3">'
        f"<tr><th></th><th>{html.escape(old)}</th><th></th><th>{html.escape(new)}</th></tr>"
        f"{''.join(cells)}</table>"
    )


def _far_from_changes(rows: list[DiffRow], at: int) -> bool:
    start, end = max(0, at - CONTEXT_LINES), min(len(rows), at + CONTEXT_LINES + 1)
    return all(tag == "equal" for tag, _old, _new in rows[start:end])


def _folded_run(rows: list[DiffRow], at: int) -> int:
    end = at
    while end < len(rows) and rows[end][0] == "equal" and _far_from_changes(rows, end):
        end += 1
    return end - at


def _line_html(tag: str, old: str, new: str) -> tuple[str, str]:
    if tag != "replace":
        return html.escape(old), html.escape(new)
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    old_parts: list[str] = []
    new_parts: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old_text, new_text = html.escape("".join(old_tokens[i1:i2])), html.escape("".join(new_tokens[j1:j2]))
        if op == "equal":
            old_parts.append(old_text)
            new_parts.append(new_text)
            continue
        if old_text:
            old_parts.append(f'<span style="background:{OLD_WORDS}">{old_text}</span>')
        if new_text:
            new_parts.append(f'<span style="background:{NEW_WORDS}">{new_text}</span>')
    return "".join(old_parts), "".join(new_parts)


class PromptHistoryPanel(QWidget):
    def __init__(self, lab: PromptLab, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._lab = lab
        self._runner = runner
        self._project: ProjectSummary | None = None
        self._variable: str | None = None
        self._versions: list[PromptVersionInfo] = []
        self._task = f"prompt-history-{id(self)}"
        self.diff_rows: list[DiffRow] = []
        self._loading: asyncio.Task[list[PromptVersionInfo]] | None = None

        self.count_label = QLabel()
        self.count_label.setObjectName("sectionTitle")
        self.model = VersionsModel()
        self.table = read_only_table(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_MODEL, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_SCOPE, 150), (COL_VERSION, 70), (COL_REASON, 170), (COL_DATE, 130)):
            self.table.setColumnWidth(column, width)
        self.table.setColumnWidth(COL_AUTHOR, 90)
        self.table.setColumnWidth(COL_ACTIVE, 60)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.old_combo = QComboBox()
        self.new_combo = QComboBox()
        for combo in (self.old_combo, self.new_combo):
            combo.setMinimumContentsLength(24)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.currentIndexChanged.connect(self._show_diff)
        self.whole_check = QCheckBox("Show unchanged lines")
        self.whole_check.toggled.connect(self._show_diff)
        compare = QHBoxLayout()
        compare.addWidget(QLabel("Compare"))
        compare.addWidget(self.old_combo, stretch=1)
        compare.addWidget(QLabel("with"))
        compare.addWidget(self.new_combo, stretch=1)
        compare.addWidget(self.whole_check)
        self.diff_label = QLabel()
        self.diff_label.setObjectName("hint")
        self.diff_label.setWordWrap(True)
        self.diff_view = QTextBrowser()
        self.diff_view.setOpenLinks(False)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(compare)
        lower_layout.addWidget(self.diff_label)
        lower_layout.addWidget(self.diff_view, stretch=1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 6)
        layout.addWidget(self.count_label)
        layout.addWidget(splitter, stretch=1)

    def set_project(self, project: ProjectSummary | None) -> None:
        if self._loading is not None:  # another project's history is moot
            self._loading.cancel()
        self._project = project
        self._versions = []
        self._show_versions()
        self.refresh()

    def set_variable(self, name: str | None) -> None:
        if name != self._variable:
            self._variable = name
            self._show_versions()

    def refresh(self) -> None:
        if self._project is None:
            return
        self._loading = self._runner.run(
            self._lab.prompt_versions(self._project.id),
            on_success=self._loaded,
            error_title="The prompt history cannot be read",
            parent=self,
            name=self._task,
        )

    @property
    def shown_versions(self) -> list[PromptVersionInfo]:
        if self._variable is None:
            return list(self._versions)
        return [version for version in self._versions if self._variable in version.variables]

    def _loaded(self, versions: list[PromptVersionInfo]) -> None:
        self._versions = versions
        self._show_versions()

    def _show_versions(self) -> None:
        versions = self.shown_versions
        self.model.set_rows(versions)
        calls = len({version.scope_key for version in versions})
        about = f" of the calls that code {self._variable}" if self._variable else ""
        self.count_label.setText(
            f"{count(len(versions), 'prompt version')}{about} ({count(calls, 'call')})"
            if versions
            else "No prompt versions yet: they are made when the prompts are first previewed or run."
        )
        for combo in (self.old_combo, self.new_combo):
            combo.blockSignals(True)
            combo.clear()
            for version in versions:
                combo.addItem(version_label(version), version.id)
            combo.blockSignals(False)
        if versions:
            newest = next((version for version in versions if version.is_active), versions[0])
            self.compare(previous_of(newest, versions), newest)
        else:
            self.diff_rows = []
            self.diff_view.clear()
            self.diff_label.clear()

    def compare(self, old: PromptVersionInfo, new: PromptVersionInfo) -> None:
        """Show `old` against `new` (the combos follow)."""
        for combo, version in ((self.old_combo, old), (self.new_combo, new)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(version.id)))
            combo.blockSignals(False)
        self._show_diff()

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            version = rows[0].data(ROLE_VERSION)
            self.compare(previous_of(version, self.shown_versions), version)

    def _chosen(self, combo: QComboBox) -> PromptVersionInfo | None:
        return next((v for v in self._versions if v.id == combo.currentData()), None)

    def _show_diff(self) -> None:
        old, new = self._chosen(self.old_combo), self._chosen(self.new_combo)
        if old is None or new is None:
            return
        self.diff_rows = prompt_diff(old, new)
        changed = sum(1 for tag, _old, _new in self.diff_rows if tag == "replace")
        added = sum(1 for tag, _old, _new in self.diff_rows if tag == "insert")
        removed = sum(1 for tag, _old, _new in self.diff_rows if tag == "delete")
        if old.id == new.id:
            summary = (
                f"{version_label(new)} is the first version of {new.scope_key}: nothing to compare with."
            )
        elif changed + added + removed == 0:
            summary = "The two versions send the same text (their model or settings differ)."
        else:
            summary = (
                f"{count(changed, 'line')} changed, {count(added, 'line')} added, "
                f"{count(removed, 'line')} removed."
            )
        if new.reason_detail and old.id != new.id:
            summary += f" Why: {new.reason_detail}"
        self.diff_label.setText(summary)
        self.diff_view.setHtml(
            diff_html(
                self.diff_rows,
                f"v{old.version} · {local_time(old.created_at)} · {old.author or 'author unknown'}",
                f"v{new.version} · {local_time(new.created_at)} · {new.author or 'author unknown'}",
                whole=self.whole_check.isChecked() or old.id == new.id,
            )
        )
