"""The form that edits one variable of the codebook.

It shows a variable's fields (a VariableSpec.model_dump(mode="json") dict) and emits the edited dict;
it checks nothing itself: the page runs the codebook checks and hands their messages back through
`show_problems`, so that the form, the list and the status text say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.enums import IfMultipleValues, IfUncertain, VariableType
from coderai_desktop.ui.variables.category_editor import KEYS, CategoryEditor
from coderai_desktop.ui.variables.dependency_editor import INDENT, DependencyEditor, RulesEditor
from coderai_desktop.ui.variables.examples_editor import ExamplesEditor
from coderai_desktop.ui.variables.value_widgets import (
    FIELD_WIDTH,
    PROBLEM_STYLE,
    DebouncedLine,
    DebouncedText,
    FieldSlot,
    ValueField,
    choice_combo,
    form_label,
    mark_problem,
    section_form,
    select_data,
    variable_kind,
)

Path = tuple[str | int, ...]
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" for a widget's size
TYPES = {
    VariableType.TEXT: "Text",
    VariableType.NUMBER: "Number",
    VariableType.DATE: "Date",
    VariableType.BOOLEAN: "Yes / no",
    VariableType.CATEGORY: "Category",
}
UNCERTAIN = {
    IfUncertain.FLAG: "Keep it and flag it for review",
    IfUncertain.NULL: "Leave the value empty (NULL)",
    IfUncertain.SKIP: "Skip the value",
}
MULTIPLE = {
    IfMultipleValues.FIRST: "Keep the first",
    IfMultipleValues.LAST: "Keep the last",
    IfMultipleValues.ALL: "Keep all of them",
    IfMultipleValues.SUMMARIZE: "Summarize them in one value",
}


def _marks(widget: QWidget) -> list[QWidget]:
    """The widgets drawn red when `widget`'s field has a problem."""
    if isinstance(widget, ValueField):
        return [widget.line, widget.combo]
    if isinstance(widget, CategoryEditor):
        return [widget.table]
    if isinstance(widget, DependencyEditor):
        return [widget.only_when]
    return [widget]


class VariableForm(QWidget):
    sig_edited = Signal(object)
    """A field changed: the variable's new fields as a dict (VariableSpec.model_dump(mode="json") shape, possibly invalid)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(PROBLEM_STYLE)
        self._filling = False
        self._scalar_default = False
        self._last: dict[str, Any] = {}
        self._targets: dict[Path, tuple[FieldSlot, list[QWidget]]] = {}
        self._labels: dict[FieldSlot, QLabel] = {}
        self._build_fields()
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(12, 8, 12, 12)
        column.setSpacing(12)
        self.general = FieldSlot(QWidget())
        column.addWidget(self.general)
        for section in self._sections():
            column.addWidget(section)
        column.addStretch()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self._align_labels()
        self.set_variable({"name": "", "type": VariableType.TEXT.value, "instructions": ""}, [], {})

    # -- building --------------------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.name = DebouncedLine()
        self.name.setToolTip(
            "The variable's column name in the dataset and in exports to Stata, SPSS and R: a letter, "
            "then letters, digits or underscores (at most 64)."
        )
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("optional: the name people read, e.g. Date of adoption")
        self.display_name.setToolTip("A readable name for tables, exports and the prompt (optional).")
        self.type = choice_combo(
            TYPES, "What kind of value the AI answers with; it decides the fields below."
        )
        self.model = QLineEdit()
        self.model.setPlaceholderText("empty: the project's model")
        self.model.setToolTip(
            "The model that codes this variable, on the project's provider: a cheaper one for easy "
            "variables, a stronger one for hard ones. Empty: the project's model."
        )
        self.instructions = DebouncedText(lines=3, most=12)
        self.instructions.setPlaceholderText("What to look for in each document, and how to answer.")
        self.instructions.setToolTip(
            "What the AI is told to find for this variable: write it for a new coder."
        )
        self.classification_rules = DebouncedText(lines=2)
        self.classification_rules.setPlaceholderText("optional: how to decide in hard or borderline cases")
        self.classification_rules.setToolTip(
            "Optional rules for hard cases, e.g. which category wins when two apply."
        )
        self.examples = ExamplesEditor()
        self.examples.setToolTip(
            "Passages of coded documents and the value each gives: the model reads them with the instructions."
        )
        self.categories = CategoryEditor()
        self.ordered = QCheckBox("The categories are ordered, listed from lowest to highest")
        self.ordered.setToolTip(
            "Tick when the categories have a natural order (low < medium < high): agreement between "
            "coders is then measured at the ordinal level, so near misses count less than far ones."
        )
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setDecimals(2)
        self.threshold.setSingleStep(0.05)
        self.threshold.setKeyboardTracking(False)
        self.threshold.setMaximumWidth(90)
        self.threshold.setToolTip(
            "The AI states how sure it is of each value (0 to 1); below this threshold the value is "
            "treated as uncertain (see the next field)."
        )
        self.if_uncertain = choice_combo(
            UNCERTAIN,
            "What happens to a value the AI is less sure of than the threshold: keep it and flag it for "
            "review, leave the cell empty, or skip it.",
        )
        self.if_multiple = choice_combo(
            MULTIPLE,
            "What to keep when a document gives several values: the first, the last, all of them (a "
            "list), or one summary.",
        )
        self.max_values = QSpinBox()
        self.max_values.setRange(0, 999)
        self.max_values.setSpecialValueText("no limit")
        self.max_values.setKeyboardTracking(False)
        self.max_values.setSuffix(" values")
        self.max_values.setMaximumWidth(120)
        self.max_values.setToolTip("When all values are kept: the most to keep per document (0: no limit).")
        self.default = ValueField()
        self.default.setToolTip(
            "The value recorded when a document gives none (e.g. 'no' for a yes/no question). "
            "Empty: no default, the cell stays empty."
        )
        self.rules = RulesEditor()
        self.dependency = DependencyEditor()
        self._connect()

    def _connect(self) -> None:
        for text in (self.name, self.instructions, self.classification_rules):
            text.sig_edited.connect(self._changed)
        self.display_name.editingFinished.connect(self._changed)
        self.model.editingFinished.connect(self._changed)
        self.type.activated.connect(self._type_chosen)
        self.categories.sig_edited.connect(self._categories_edited)
        self.ordered.clicked.connect(self._changed)
        self.threshold.valueChanged.connect(self._changed)
        self.if_uncertain.activated.connect(self._changed)
        self.if_multiple.activated.connect(self._multiple_chosen)
        self.max_values.valueChanged.connect(self._changed)
        for widget in (self.default, self.rules, self.dependency, self.examples):
            widget.sig_edited.connect(self._changed)

    def _sections(self) -> list[QGroupBox]:
        definition = self._section(
            "Definition",
            [
                ("Name", "name", self.name, "Letters, digits and underscores, starting with a letter."),
                ("Label", "display_name", self.display_name, ""),
                ("Type", "type", self.type, ""),
                ("Model", "model", self.model, ""),
                ("Instructions", "instructions", self.instructions, ""),
                ("Classification rules", "classification_rules", self.classification_rules, ""),
                ("Worked examples", "examples", self.examples, ""),
            ],
        )
        self.category_section = self._section(
            "Categories", [(None, "categories", self.categories, ""), (None, "ordered", self.ordered, "")]
        )
        unsure = self._section(
            "When unsure or several values",
            [
                ("Confidence threshold", "confidence_threshold", self.threshold, ""),
                ("Below the threshold", "if_uncertain", self.if_uncertain, ""),
                ("Several values", "if_multiple_values", self.if_multiple, ""),
                ("Keep at most", "max_values", self.max_values, ""),
                (
                    "Default value",
                    "default_value",
                    self.default,
                    "Recorded when a document gives no value. Leave empty for no default.",
                ),
            ],
        )
        checks = self._section("Checks", [], body=self.rules)
        for path, (slot, marks) in self.rules.targets.items():
            self._targets[("validation_rules", *path)] = (slot, marks)
        self._labels.update(self.rules.labels)
        applies = self._section("Applies when", [(None, "depends_on", self.dependency, "")])
        slot, value = self._targets[("depends_on",)][0], self.dependency.value
        slot.error.setContentsMargins(INDENT, 0, 0, 0)  # under the condition it is about
        self._targets[("depends_on", "variable")] = (slot, [self.dependency.variable])
        self._targets[("depends_on", "operator")] = (slot, [self.dependency.operator])
        self._targets[("depends_on", "value")] = (slot, [value.line, value.combo])
        return [definition, self.category_section, unsure, checks, applies]

    def _section(
        self, title: str, rows: list[tuple[str | None, str, QWidget, str]], body: QWidget | None = None
    ) -> QGroupBox:
        """A titled section: `rows` (label, field name, widget, hint) in a form, or `body`."""
        box = QGroupBox(title)
        title_font = box.font()
        title_font.setBold(True)
        box.setFont(title_font)
        if body is None:
            body = QWidget()
            form = section_form(body)
            for text, key, widget, hint in rows:
                slot = FieldSlot(widget, hint)
                if text is None:
                    form.addRow(slot)
                else:
                    label = form_label(text)
                    label.setToolTip(widget.toolTip())
                    form.addRow(label, slot)
                    self._labels[slot] = label
                self._targets[(key,)] = (slot, _marks(widget))
        regular = QFont()
        regular.setBold(False)  # only the weight: the rest still follows the application's font
        body.setFont(regular)
        layout = QVBoxLayout(box)
        layout.addWidget(body)
        return box

    def _align_labels(self) -> None:
        labels = self.findChildren(QLabel, "formLabel")
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setFixedWidth(width)

    # -- the interface the page uses ---------------------------------------------------------------------

    def set_variable(
        self, fields: dict[str, Any], others: list[str], other_specs: dict[str, dict[str, Any]]
    ) -> None:
        """Show one variable (its fields as a dict) without emitting sig_edited. `others`: the other variables' names
        (for depends_on), `other_specs`: their fields (so the depends_on value widget fits the chosen variable's type)."""
        with self._filling_in():
            kind = variable_kind(fields.get("type")) or VariableType.TEXT
            self.name.set_text(str(fields.get("name") or ""))
            self.display_name.setText(str(fields.get("display_name") or ""))
            self.type.setCurrentIndex(self.type.findData(kind.value))
            self.model.setText(str(fields.get("model") or ""))
            self.instructions.set_text(str(fields.get("instructions") or ""))
            self.classification_rules.set_text(str(fields.get("classification_rules") or ""))
            self.examples.set_examples(list(fields.get("examples") or []))
            self.categories.set_categories(list(fields.get("categories") or []))
            self.ordered.setChecked(bool(fields.get("ordered")))
            threshold = fields.get("confidence_threshold")
            self.threshold.setValue(float(threshold) if isinstance(threshold, int | float) else 0.7)
            # `if_uncertain: null` means the NULL policy (as in codebook files)
            uncertain = fields.get("if_uncertain", IfUncertain.FLAG) or IfUncertain.NULL
            select_data(self.if_uncertain, uncertain, IfUncertain.FLAG.value)
            select_data(self.if_multiple, fields.get("if_multiple_values"), IfMultipleValues.FIRST.value)
            max_values = fields.get("max_values")
            self.max_values.setValue(max_values if isinstance(max_values, int) and max_values > 0 else 0)
            self.max_values.setEnabled(self.if_multiple.currentData() == IfMultipleValues.ALL)
            self._fit_to_type(kind)
            self.default.set_value(fields.get("default_value"))
            # A single default of a variable keeping all values may be written without a list: keep it so.
            self._scalar_default = fields.get("default_value") is not None and not isinstance(
                fields.get("default_value"), list
            )
            self.rules.set_rules(fields.get("validation_rules"))
            self.dependency.set_dependency(fields.get("depends_on"), others, other_specs)
            self.show_problems({})
        self._last = self.fields()

    def fields(self) -> dict[str, Any]:
        """The form's current fields as a dict (what sig_edited carries)."""
        kind = self._kind()
        category = kind is VariableType.CATEGORY
        multiple = self.if_multiple.currentData()
        return {
            "name": self.name.text().strip(),
            "display_name": self.display_name.text().strip() or None,
            "type": kind.value,
            "instructions": self.instructions.text().strip(),
            "categories": self.categories.categories() if category else [],
            "classification_rules": self.classification_rules.text().strip() or None,
            "ordered": category and self.ordered.isChecked(),
            "confidence_threshold": round(self.threshold.value(), 2),
            "if_uncertain": self.if_uncertain.currentData(),
            "if_multiple_values": multiple,
            "max_values": (self.max_values.value() or None) if multiple == IfMultipleValues.ALL else None,
            "default_value": self._default_value(),
            "validation_rules": self.rules.rules(),
            "depends_on": self.dependency.dependency(),
            "examples": self.examples.examples(),
            "model": self.model.text().strip() or None,
        }

    def show_problems(self, problems: dict[tuple[str | int, ...], str]) -> None:
        """Problems of THIS variable keyed by their path below the variable (e.g. ("name",), ("categories", 2, "value"),
        ("validation_rules", "min"), ("depends_on", "variable")): each shown next to its field (a red label under it
        and the field marked), all cleared first."""
        messages: dict[FieldSlot, list[str]] = {}
        marked: set[QWidget] = set()
        cells: dict[tuple[int, int], str] = {}
        for path, message in problems.items():
            path = tuple(path)
            if path[:1] == ("categories",) and len(path) > 1 and isinstance(path[1], int):
                column = KEYS.index(str(path[2])) if len(path) > 2 and path[2] in KEYS else 0
                cells[(path[1], column)] = message
                message, path = f"Category {path[1] + 1}: {message}", path[:1]  # the cell is marked
            slot, marks, field = self._target(path)
            messages.setdefault(slot, []).append(field + message)
            marked.update(marks)
        for slot, _marks in [*self._targets.values(), (self.general, [])]:
            slot.set_message("\n".join(messages.get(slot, [])))
            if (label := self._labels.get(slot)) is not None:
                mark_problem(label, slot in messages)
        for widget in {mark for _slot, marks in self._targets.values() for mark in marks}:
            mark_problem(widget, widget in marked)
        self.categories.show_problems(cells)
        self.general.setVisible(self.general in messages)

    def _target(self, path: Path) -> tuple[FieldSlot, list[QWidget], str]:
        """Where a problem is shown: the field of the longest known path that starts the problem's path
        and is on show (a rule the type hides goes to its section, else to the top), and what to say
        before the message so that it still names its field."""
        length = len(path)
        while length and not ((target := self._targets.get(path[:length])) and target[0].isVisibleTo(self)):
            length -= 1
        slot, marks = self._targets[path[:length]] if length else (self.general, [])
        named = [str(part).replace("_", " ") for part in path[length:] if isinstance(part, str)]
        return slot, marks, " ".join(named) + ": " if named else ""

    # -- reactions ------------------------------------------------------------------------------------

    def _kind(self) -> VariableType:
        return VariableType(self.type.currentData())

    def _changed(self, *_args: Any) -> None:
        if self._filling:
            return
        fields = self.fields()
        if fields != self._last:
            self._last = fields
            self.sig_edited.emit(fields)

    @contextmanager
    def _filling_in(self) -> Iterator[None]:
        """Widgets changed by the form itself: no sig_edited until the end."""
        self._filling = True
        try:
            yield
        finally:
            self._filling = False

    def _type_chosen(self, _index: int) -> None:
        with self._filling_in():
            self._fit_to_type(self._kind())
        self._changed()

    def _fit_to_type(self, kind: VariableType) -> None:
        """Show the fields that apply to `kind`; what no longer fits it is cleared (categories are kept
        out of sight, and come back if the type goes back to category before another variable is shown)."""
        self.category_section.setVisible(kind is VariableType.CATEGORY)
        self._fit_default()
        self.rules.set_kind(kind)

    def _default_value(self) -> Any:
        value = self.default.value()
        return value[0] if self._scalar_default and isinstance(value, list) and len(value) == 1 else value

    def _fit_default(self) -> None:
        kind = self._kind()
        choices = [(row["value"], row["label"]) for row in self.categories.categories()]
        several = self.if_multiple.currentData() == IfMultipleValues.ALL
        self.default.set_kind(kind, choices if kind is VariableType.CATEGORY else [], several=several)
        self.default.setMaximumWidth(QWIDGETSIZE_MAX if several else FIELD_WIDTH)  # a list needs room

    def _categories_edited(self) -> None:
        self.default.refresh_choices([(row["value"], row["label"]) for row in self.categories.categories()])
        self._changed()

    def _multiple_chosen(self, _index: int) -> None:
        with self._filling_in():
            all_values = self.if_multiple.currentData() == IfMultipleValues.ALL
            self.max_values.setEnabled(all_values)
            if not all_values:
                self.max_values.setValue(0)
            self._fit_default()
        self._changed()
