"""The lab half of the login window: where the lab database is, who I am in it, and a connection test."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.ui.ui_state import LabPlace

HINT = (
    "Your lab's administrator adds you as a member and tells you the server, the database and your member "
    "name. Each member has a workspace of their own; projects are shared from the Project menu."
)


class LabForm(QWidget):
    sig_test_requested = Signal()
    """The person asked to test the connection with what is typed."""

    sig_member_entered = Signal()
    """The server, database or member name was edited (a remembered password may now apply)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.host_edit = QLineEdit()
        self.host_edit.setPlaceholderText("e.g. db.mylab.org")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setGroupSeparatorShown(False)
        self.database_edit = QLineEdit()
        self.database_edit.setPlaceholderText("e.g. coderai_lab")
        self.member_edit = QLineEdit()
        self.member_edit.setPlaceholderText("e.g. ana")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_box = QCheckBox("Remember the password in the system keyring")
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.sig_test_requested)
        self.test_label = QLabel()
        self.test_label.setWordWrap(True)
        self.test_label.hide()
        for edit in (self.host_edit, self.database_edit, self.member_edit):
            edit.editingFinished.connect(self.sig_member_entered)
        self.port_spin.editingFinished.connect(self.sig_member_entered)

        server_row = QHBoxLayout()
        server_row.addWidget(self.host_edit, stretch=1)
        server_row.addWidget(QLabel("Port:"))
        server_row.addWidget(self.port_spin)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Server:", server_row)
        form.addRow("Database:", self.database_edit)
        form.addRow("Member name:", self.member_edit)
        form.addRow("Password:", self.password_edit)
        form.addRow("", self.remember_box)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        hint = QLabel(HINT)
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addWidget(self.test_label)
        layout.addWidget(hint)
        self.set_place(LabPlace())

    def place(self) -> LabPlace:
        return LabPlace(
            host=self.host_edit.text().strip(),
            port=self.port_spin.value(),
            database=self.database_edit.text().strip(),
            member=self.member_edit.text().strip(),
        )

    def set_place(self, place: LabPlace) -> None:
        self.host_edit.setText(place.host)
        self.port_spin.setValue(place.port)
        self.database_edit.setText(place.database)
        self.member_edit.setText(place.member)

    def complete(self) -> bool:
        place = self.place()
        return bool(place.host and place.database and place.member and self.password_edit.text())

    def first_empty(self) -> QWidget:
        """Where typing should start: the first field left empty (the password when all others are known)."""
        for edit in (self.host_edit, self.database_edit, self.member_edit):
            if not edit.text().strip():
                return edit
        return self.password_edit

    def show_test_result(self, text: str, ok: bool) -> None:
        self.test_label.setObjectName("hint" if ok else "error")
        self.test_label.style().unpolish(self.test_label)  # the style follows the object name
        self.test_label.style().polish(self.test_label)
        self.test_label.setText(text)
        self.test_label.show()

    def clear_test_result(self) -> None:
        self.test_label.hide()

    def inputs(self) -> list[QWidget]:
        return [
            self.host_edit,
            self.port_spin,
            self.database_edit,
            self.member_edit,
            self.password_edit,
            self.remember_box,
            self.test_button,
        ]
