"""Share a project I own with other members, as viewer or editor; change what they may do, or stop sharing."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import local_time
from coderai_desktop.projects.sharing import Share, SharingService
from coderai_desktop.ui.projects.list_model import ACCESS_TEXT
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.branding import heading
from coderai_desktop.ui.widgets.tables import ListTableModel, read_only_table

T = TypeVar("T")
COL_MEMBER, COL_ACCESS, COL_SINCE, COL_BY = range(4)
EXPLANATION = (
    "Members you share it with open it from their own CoderAI Desktop: a viewer reads and exports it, an "
    "editor also changes it (documents, codebook, runs, reviews). Only you can share or delete it."
)


class SharesModel(ListTableModel[Share]):
    headers = ("Member", "Access", "Shared since", "Shared by")

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        share = self.item(index)
        if share is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            share.login,
            ACCESS_TEXT[share.access].capitalize(),
            local_time(share.granted_at),
            share.granted_by or "",
        )[index.column()]

    def row_of(self, login: str) -> int | None:
        return next((row for row, share in enumerate(self._rows) if share.login == login), None)


class ShareDialog(QDialog):
    def __init__(
        self,
        sharing: SharingService,
        project: ProjectSummary,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._sharing = sharing
        self._project = project
        self._runner = runner
        self._members: list[str] = []
        self.setWindowTitle(f"Share “{project.name}”")
        self.setMinimumWidth(560)

        self.model = SharesModel()
        self.table = read_only_table(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_MEMBER, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.empty_label = QLabel("Not shared with anyone yet.")
        self.empty_label.setObjectName("hint")
        self.access_button = QPushButton("Make an editor")
        self.access_button.clicked.connect(self._change_access)
        self.remove_button = QPushButton("Stop sharing with them")
        self.remove_button.clicked.connect(self._remove)
        selected_row = QHBoxLayout()
        selected_row.addWidget(self.empty_label)
        selected_row.addStretch(1)
        selected_row.addWidget(self.access_button)
        selected_row.addWidget(self.remove_button)

        self.member_combo = QComboBox()
        self.member_combo.setMinimumWidth(180)
        self.access_combo = QComboBox()
        for access in (ShareAccess.VIEWER, ShareAccess.EDITOR):
            self.access_combo.addItem(ACCESS_TEXT[access].capitalize(), access)
        self.add_button = QPushButton("Share")
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self._add)
        add_row = QHBoxLayout()
        add_row.addWidget(QLabel("Share with"))
        add_row.addWidget(self.member_combo, stretch=1)
        add_row.addWidget(QLabel("as"))
        add_row.addWidget(self.access_combo)
        add_row.addWidget(self.add_button)

        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"Share “{project.name}”", EXPLANATION))
        layout.addWidget(self.table, stretch=1)
        layout.addLayout(selected_row)
        layout.addSpacing(8)
        layout.addLayout(add_row)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self._update_buttons()
        self.reload()

    def reload(self, select: str | None = None) -> None:
        async def load() -> tuple[list[Share], list[str]]:
            return await self._sharing.shares(self._project.id), await self._sharing.members()

        self._run(load(), lambda loaded: self._loaded(*loaded, select), name="share-dialog")

    def _loaded(self, shares: list[Share], members: list[str], select: str | None) -> None:
        self.model.set_rows(shares)
        self._members = members
        shared = {share.login for share in shares}
        self.member_combo.clear()
        for login in members:
            if login not in shared:
                self.member_combo.addItem(login)
        if self.member_combo.count() == 0:
            self.member_combo.setPlaceholderText(
                "Everyone has it already" if members else "No other member yet"
            )
        if select is not None and (row := self.model.row_of(select)) is not None:
            self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> Share | None:
        return (
            self.model.item(self.table.currentIndex()) if self.table.selectionModel().hasSelection() else None
        )

    def _update_buttons(self) -> None:
        share = self.selected()
        self.empty_label.setVisible(self.model.rowCount() == 0)
        self.access_button.setEnabled(share is not None)
        self.remove_button.setEnabled(share is not None)
        # The buttons name whom they act on: the member selected above.
        who = share.login if share is not None else "them"
        viewer = share is None or share.access is ShareAccess.VIEWER
        self.access_button.setText(f"Make {who} an editor" if viewer else f"Make {who} a viewer")
        self.remove_button.setText(f"Stop sharing with {who}")
        self.add_button.setEnabled(self.member_combo.count() > 0)

    def _add(self) -> None:
        login, access = self.member_combo.currentText(), ShareAccess(self.access_combo.currentData())
        if login:
            self._share(login, access)

    def _change_access(self) -> None:
        share = self.selected()
        if share is not None:
            other = ShareAccess.EDITOR if share.access is ShareAccess.VIEWER else ShareAccess.VIEWER
            self._share(share.login, other)

    def _share(self, login: str, access: ShareAccess) -> None:
        self._run(
            self._sharing.share(self._project.id, login, access), lambda share: self.reload(share.login)
        )

    def _remove(self) -> None:
        share = self.selected()
        if share is not None:
            self._run(self._sharing.unshare(self._project.id, share.login), lambda _none: self.reload())

    def _run(
        self, work: Coroutine[Any, Any, T], on_success: Callable[[T], None], name: str | None = None
    ) -> None:
        self.error_label.hide()
        self._runner.run(work, on_success=on_success, on_failure=self._failed, name=name)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, CoderAIError):
            self._runner.report_failure(self, "Sharing failed", error)
            return
        self.error_label.setText(str(error))
        self.error_label.show()
