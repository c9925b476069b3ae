"""The last two sections of the variable form, the conditions on a variable's values: "Checks" (validation
rules that fit its type) and "Applies when" ("Only code this when <variable> <operator> <value>", with a
value widget that fits the chosen variable's type)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.enums import DependencyOperator, VariableType
from coderai_desktop.ui.variables.value_widgets import (
    DebouncedText,
    FieldSlot,
    ValueField,
    fitting,
    form_label,
    probe,
    read_value,
    section_form,
    value_text,
    variable_kind,
)

OPERATORS = {
    DependencyOperator.EQUALS: "equals",
    DependencyOperator.NOT_EQUALS: "does not equal",
    DependencyOperator.IN: "is one of",
    DependencyOperator.NOT_IN: "is none of",
    DependencyOperator.IS_SET: "has a value",
    DependencyOperator.IS_NOT_SET: "has no value",
}
LISTS = (DependencyOperator.IN, DependencyOperator.NOT_IN)
NO_VALUE = (DependencyOperator.IS_SET, DependencyOperator.IS_NOT_SET)
MISSING = " (no such variable)"
INDENT = 24  # the condition sits under the check box's text
BOUNDS = {VariableType.NUMBER: ("Minimum", "Maximum"), VariableType.DATE: ("Earliest", "Latest")}
NO_CHECKS = {
    VariableType.CATEGORY: "A category variable's values are limited to its categories: no other checks apply.",
}
VERDICT_COLOURS = {"matches": "#1e6b34", "does not match": "#8c5a00"}
Path = tuple[str | int, ...]


def pattern_verdict(pattern: str, sample: str) -> str:
    """What testing `sample` against `pattern` gives, in the words the form shows (the whole sample must
    match, as when extracted values are checked)."""
    if not pattern:
        return ""
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        return f"the pattern is not a valid regular expression: {error}"
    if not sample:
        return ""
    return "matches" if compiled.fullmatch(sample) else "does not match"


class RulesEditor(QWidget):
    """The "Checks" section: bounds for numbers and dates, a pattern for text (with a live test), and
    allowed values for every type but category (whose categories are its allowed values)."""

    sig_edited = Signal()
    """A rule changed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._kind = VariableType.TEXT
        self.minimum = ValueField()
        self.minimum.setToolTip("Values below this are flagged for review. Empty: no lower bound.")
        self.maximum = ValueField()
        self.maximum.setToolTip("Values above this are flagged for review. Empty: no upper bound.")
        self.pattern = QLineEdit()
        self.pattern.setPlaceholderText(r"optional regular expression, e.g. [A-Z]{2}-\d{4}")
        self.pattern.setToolTip(
            "A regular expression the whole value must match (Python syntax); values that do not are "
            "flagged for review."
        )
        self.sample = QLineEdit()
        self.sample.setPlaceholderText("sample text")
        self.sample.setToolTip("Type a value to see whether the pattern accepts it. Nothing is saved.")
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.allowed = DebouncedText(lines=3)
        self.allowed.setPlaceholderText("optional: one value per line")
        self.allowed.setToolTip(
            "Only these values are accepted, one per line; others are flagged for review."
        )
        self.none_hint = QLabel()
        self.none_hint.setObjectName("hint")
        self.none_hint.setWordWrap(True)
        for field in (self.minimum, self.maximum):
            field.setMaximumWidth(260)
            field.sig_edited.connect(self.sig_edited)
        self.pattern.editingFinished.connect(self.sig_edited)
        self.allowed.sig_edited.connect(self.sig_edited)
        self.pattern.textChanged.connect(self._test_pattern)
        self.sample.textChanged.connect(self._test_pattern)

        tester = QVBoxLayout()
        tester.setSpacing(3)
        tester.addWidget(self.sample)
        tester.addWidget(self.verdict)
        self.slots = {
            (): FieldSlot(self.none_hint),
            ("min",): FieldSlot(self.minimum),
            ("max",): FieldSlot(self.maximum),
            ("pattern",): FieldSlot(self.pattern),
            ("allowed_values",): FieldSlot(self.allowed),
        }
        self.tester = FieldSlot(tester)
        self.form = section_form(self)
        self.form.addRow(self.slots[()])
        self.labels: dict[FieldSlot, QLabel] = {}
        rows: list[tuple[str, FieldSlot, QWidget]] = [
            ("Minimum", self.slots[("min",)], self.minimum),
            ("Maximum", self.slots[("max",)], self.maximum),
            ("Pattern", self.slots[("pattern",)], self.pattern),
            ("Test the pattern", self.tester, self.sample),
            ("Allowed values", self.slots[("allowed_values",)], self.allowed),
        ]
        for text, slot, widget in rows:
            self.labels[slot] = label = form_label(text)
            label.setToolTip(widget.toolTip())
            self.form.addRow(label, slot)
        del self.labels[self.tester]  # it has no problems of its own
        marks: dict[Path, list[QWidget]] = {
            (): [],
            ("min",): [self.minimum.line],
            ("max",): [self.maximum.line],
            ("pattern",): [self.pattern],
            ("allowed_values",): [self.allowed],
        }
        self.targets = {key: (slot, marks[key]) for key, slot in self.slots.items()}
        self.set_kind(VariableType.TEXT)

    def set_kind(self, kind: VariableType) -> None:
        """Show the rules that apply to `kind`; clear those that do not (and bounds that no longer fit)."""
        allowed = [value_text(item) for item in self._allowed()]
        self._kind = kind
        bounded = kind in BOUNDS
        for field, text in zip((self.minimum, self.maximum), BOUNDS.get(kind, ("", "")), strict=True):
            field.set_kind(kind if bounded else VariableType.TEXT)
            if bounded:
                self.labels[self.slots[("min",) if field is self.minimum else ("max",)]].setText(text)
            else:
                field.set_value(None)
        if kind is not VariableType.TEXT:
            self.pattern.clear()
            self.sample.clear()
        listed = kind is not VariableType.CATEGORY
        variable = probe(kind)
        kept = [
            value_text(fitting(variable, item)) for item in allowed if fitting(variable, item) is not None
        ]
        self.allowed.set_text("\n".join(kept) if listed else "")
        for key, shown in (("min",), bounded), (("max",), bounded), (("pattern",), kind is VariableType.TEXT):
            self.form.setRowVisible(self.slots[key], shown)
        self.form.setRowVisible(self.tester, kind is VariableType.TEXT)
        self.form.setRowVisible(self.slots[("allowed_values",)], listed)
        self.none_hint.setText(NO_CHECKS.get(kind, ""))
        self.form.setRowVisible(self.slots[()], kind in NO_CHECKS)

    def set_rules(self, rules: dict[str, Any] | None) -> None:
        """Show these ValidationRules fields (as a dict) without emitting sig_edited."""
        rules = rules or {}
        self.minimum.set_value(rules.get("min"))
        self.maximum.set_value(rules.get("max"))
        self.pattern.setText(str(rules.get("pattern") or ""))
        self.sample.clear()
        allowed = rules.get("allowed_values") or []
        self.allowed.set_text("\n".join(value_text(item) for item in allowed))
        self._test_pattern()

    def rules(self) -> dict[str, Any] | None:
        """The rules that apply to the type, as a ValidationRules dict; None when there are none."""
        kind = self._kind
        rules = {
            "min": self.minimum.value() if kind in BOUNDS else None,
            "max": self.maximum.value() if kind in BOUNDS else None,
            "pattern": (self.pattern.text() or None) if kind is VariableType.TEXT else None,
            "allowed_values": (self._allowed() or None) if kind is not VariableType.CATEGORY else None,
        }
        return rules if any(value is not None for value in rules.values()) else None

    def _allowed(self) -> list[Any]:
        variable = probe(self._kind if self._kind is not VariableType.CATEGORY else VariableType.TEXT)
        lines = [line for line in self.allowed.text().splitlines() if line.strip()]
        return [read_value(variable, line) for line in lines]

    def _test_pattern(self, *_args: Any) -> None:
        verdict = pattern_verdict(self.pattern.text(), self.sample.text())
        colour = VERDICT_COLOURS.get(verdict, "#b3261e")
        self.verdict.setText(verdict)
        self.verdict.setStyleSheet(f"color: {colour};")
        self.verdict.setVisible(bool(verdict))


def _operator(value: Any) -> DependencyOperator:
    try:
        return DependencyOperator(str(value).strip().upper())
    except ValueError:
        return DependencyOperator.EQUALS


class DependencyEditor(QWidget):
    sig_edited = Signal()
    """The condition changed (switched on or off, or its variable, operator or value)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.only_when = QCheckBox("Only code this when…")
        self.only_when.setToolTip(
            "Code this variable only in documents where another variable's value meets a condition "
            "(e.g. the net-zero year only when the plan has a net-zero goal). Elsewhere it stays empty."
        )
        self.only_when.toggled.connect(self._update)
        self.only_when.clicked.connect(lambda _checked: self.sig_edited.emit())
        self.variable = QComboBox()
        self.variable.setToolTip("The variable whose value decides whether this one is coded.")
        self.variable.setMinimumContentsLength(14)
        self.variable.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.variable.activated.connect(self._variable_chosen)
        self.operator = QComboBox()
        self.operator.setToolTip(
            "How that variable's value is compared: equal to one value, one of several values (separate "
            "them with commas), or simply whether the document gives it a value."
        )
        for operator, text in OPERATORS.items():
            self.operator.addItem(text, operator.value)
        self.operator.activated.connect(self._operator_chosen)
        self.value = ValueField()
        self.value.setToolTip("The value to compare with, of the chosen variable's type.")
        self.value.sig_edited.connect(self.sig_edited)
        self.note = QLabel("There are no other variables to depend on yet.")
        self.note.setObjectName("hint")

        condition = QHBoxLayout()
        condition.setContentsMargins(INDENT, 0, 0, 0)
        condition.addWidget(self.variable, stretch=3)
        condition.addWidget(self.operator, stretch=2)
        condition.addWidget(self.value, stretch=3)
        self.condition = QWidget()
        self.condition.setLayout(condition)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.only_when)
        layout.addWidget(self.condition)
        layout.addWidget(self.note)
        self._specs: dict[str, dict[str, Any]] = {}
        self._update()

    def set_dependency(
        self, dependency: Any, others: list[str], other_specs: dict[str, dict[str, Any]]
    ) -> None:
        """Show `dependency` (a DependsOn dict, a variable name for "has a value", or None) without emitting
        sig_edited; `others` are the variables it can name, `other_specs` their fields."""
        if isinstance(dependency, str):
            dependency = {"variable": dependency, "operator": DependencyOperator.IS_SET}
        self._specs = other_specs
        name = str(dependency.get("variable") or "") if dependency else ""
        self.variable.clear()
        self.variable.addItems(others)
        if name and name not in others:
            # Kept (and shown as missing) so that the problem can be seen and fixed, not silently lost.
            self.variable.addItem(name + MISSING, name)
        self.variable.setCurrentIndex(self._variable_index(name) if name else 0)
        operator = _operator(dependency.get("operator")) if dependency else DependencyOperator.EQUALS
        self.operator.setCurrentIndex(self.operator.findData(operator.value))
        self._fit_value()
        self.value.set_value(dependency.get("value") if dependency else None)
        self.only_when.setChecked(dependency is not None)
        self.only_when.setEnabled(bool(others) or dependency is not None)
        self._update()

    def _variable_index(self, name: str) -> int:
        for index in range(self.variable.count()):
            if (self.variable.itemData(index) or self.variable.itemText(index)) == name:
                return index
        return -1

    def chosen_variable(self) -> str:
        index = self.variable.currentIndex()
        return (self.variable.itemData(index) or self.variable.itemText(index)) if index >= 0 else ""

    def chosen_operator(self) -> DependencyOperator:
        return DependencyOperator(self.operator.currentData())

    def dependency(self) -> dict[str, Any] | None:
        """The condition as a DependsOn dict, or None when the variable is always coded."""
        if not self.only_when.isChecked() or not self.chosen_variable():
            return None
        operator = self.chosen_operator()
        value = None if operator in NO_VALUE else self.value.value()
        return {"variable": self.chosen_variable(), "operator": operator.value, "value": value}

    def _variable_chosen(self, _index: int) -> None:
        self._fit_value()
        self.sig_edited.emit()

    def _operator_chosen(self, _index: int) -> None:
        self._fit_value()
        self._update()
        self.sig_edited.emit()

    def _fit_value(self) -> None:
        """Give the value widget the chosen variable's type (its categories too); keep what still fits."""
        spec = self._specs.get(self.chosen_variable(), {})
        kind = variable_kind(spec.get("type")) or VariableType.TEXT
        choices = [
            (str(c.get("value") or ""), c.get("label"))
            for c in spec.get("categories") or []
            if kind is VariableType.CATEGORY
        ]
        self.value.set_kind(kind, choices, several=self.chosen_operator() in LISTS)

    def _update(self, *_args: Any) -> None:
        has_others = self.variable.count() > 0
        self.condition.setVisible(has_others)
        self.condition.setEnabled(self.only_when.isChecked())
        self.note.setVisible(not has_others)
        self.value.setVisible(self.chosen_operator() not in NO_VALUE)
