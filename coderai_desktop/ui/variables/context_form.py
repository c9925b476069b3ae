"""The Project tab of the codebook editor: what every prompt is told about the project.

Like the variable form it checks nothing itself: it emits the context's new fields and shows the problems
the page found (`show_problems`, paths below "project"). The project's name is shown, not edited here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.ui.variables.value_widgets import (
    PROBLEM_STYLE,
    DebouncedText,
    FieldSlot,
    form_label,
    mark_problem,
)
from coderai_desktop.ui.widgets.scrolling import scroll_page
from coderai_desktop.ui.wizard.pages import DOMAINS, LANGUAGES

Path = tuple[str | int, ...]


def _editable_combo(items: tuple[str, ...], tip: str) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(items)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setToolTip(tip)
    combo.setMaximumWidth(320)
    return combo


class ContextForm(QWidget):
    sig_edited = Signal(object)
    """A field changed: the project context's new fields as a dict (ProjectContext.model_dump shape)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(PROBLEM_STYLE)
        self._filling = False
        self._last: dict[str, Any] = {}
        self._context: dict[str, Any] = {}
        self.name_label = QLabel()
        self.name_label.setObjectName("title")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description = DebouncedText(lines=5)
        self.description.setPlaceholderText("What is coded, and why. Every prompt is told this.")
        self.domain = _editable_combo(
            DOMAINS, "The field of research: it tells the AI which vocabulary to expect."
        )
        self.language = _editable_combo(LANGUAGES, "The language the documents are written in.")
        self.document_radio = QRadioButton("One row per document")
        self.entity_radio = QRadioButton("One row per entity found in a document")
        group = QButtonGroup(self)
        group.addButton(self.document_radio)
        group.addButton(self.entity_radio)
        self.pattern = DebouncedText(lines=3)
        self.pattern.setPlaceholderText(
            "How to recognise one entity, e.g. 'each company named as a party to the contract' or "
            "'each patient described in the case report'."
        )
        unit_column = QVBoxLayout()
        unit_column.setSpacing(4)
        unit_column.addWidget(self.document_radio)
        unit_column.addWidget(self.entity_radio)
        self.slots: dict[str, FieldSlot] = {
            "description": FieldSlot(self.description),
            "domain": FieldSlot(self.domain),
            "language": FieldSlot(self.language),
            "unit_of_observation": FieldSlot(
                unit_column, "Several rows per document when the unit is an entity (a party, a patient)."
            ),
            "entity_identification_pattern": FieldSlot(self.pattern),
        }
        self._marks: dict[str, list[QWidget]] = {
            "description": [self.description],
            "entity_identification_pattern": [self.pattern],
        }
        box = QGroupBox("What every prompt is told about the project")
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self._labels: dict[str, QLabel] = {}
        for key, text in (
            ("description", "Description"),
            ("domain", "Domain"),
            ("language", "Document language"),
            ("unit_of_observation", "Unit of observation"),
            ("entity_identification_pattern", "Entity pattern"),
        ):
            self._labels[key] = form_label(text)
            form.addRow(self._labels[key], self.slots[key])
        self._labels["entity_identification_pattern"].setToolTip(
            "Required when the unit is an entity: how to recognise one in a document."
        )
        self.general = FieldSlot(QWidget())
        hint = QLabel("The project's name is changed from the project list, not here.")
        hint.setObjectName("hint")
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(12, 8, 12, 12)
        column.setSpacing(8)
        column.addWidget(self.name_label)
        column.addWidget(hint)
        column.addWidget(self.general)
        column.addWidget(box)
        column.addStretch()
        scroll_page(self, content)

        self.description.sig_edited.connect(self._changed)
        self.pattern.sig_edited.connect(self._changed)
        for combo in (self.domain, self.language):
            combo.activated.connect(self._changed)
            if (line := combo.lineEdit()) is not None:
                line.editingFinished.connect(self._changed)
        group.buttonToggled.connect(self._unit_toggled)

    def set_context(self, fields: dict[str, Any]) -> None:
        """Show the context without emitting sig_edited."""
        self._filling = True
        try:
            self._context = dict(fields)
            self.name_label.setText(str(fields.get("name") or ""))
            self.description.set_text(str(fields.get("description") or ""))
            self.domain.setCurrentText(str(fields.get("domain") or ""))
            self.language.setCurrentText(str(fields.get("language") or ""))
            entity = str(fields.get("unit_of_observation") or "").upper() == UnitOfObservation.ENTITY
            (self.entity_radio if entity else self.document_radio).setChecked(True)
            self.pattern.set_text(str(fields.get("entity_identification_pattern") or ""))
            self.pattern.setEnabled(entity)
        finally:
            self._filling = False
        self._last = self.fields()

    def fields(self) -> dict[str, Any]:
        entity = self.entity_radio.isChecked()
        pattern = self.pattern.text().strip()
        return {
            **self._context,
            "description": self.description.text(),
            "domain": self.domain.currentText().strip(),
            "language": self.language.currentText().strip(),
            "unit_of_observation": (UnitOfObservation.ENTITY if entity else UnitOfObservation.DOCUMENT).value,
            "entity_identification_pattern": pattern if entity and pattern else None,
        }

    def show_problems(self, problems: dict[Path, str]) -> None:
        """Problems keyed by their path below "project", e.g. ("entity_identification_pattern",)."""
        messages: dict[str, list[str]] = {}
        for path, message in problems.items():
            key = str(path[0]) if path and str(path[0]) in self.slots else ""
            messages.setdefault(key, []).append(message)
        for key, slot in self.slots.items():
            slot.set_message("\n".join(messages.get(key, [])))
            mark_problem(self._labels[key], key in messages)
            for widget in self._marks.get(key, []):
                mark_problem(widget, key in messages)
        self.general.set_message("\n".join(messages.get("", [])))

    def _unit_toggled(self, _button: object, checked: bool) -> None:
        if not checked:
            return
        self.pattern.setEnabled(self.entity_radio.isChecked())
        self._changed()

    def _changed(self, *_args: object) -> None:
        if self._filling:
            return
        fields = self.fields()
        if fields != self._last:
            self._last = fields
            self.sig_edited.emit(fields)
