"""The form that edits one variable: every field round-trips as a VariableSpec dict, edits are reported once,
the widgets follow the type, and the codebook checks' messages land next to their fields."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from coderai_desktop.domain.codebook import Codebook, VariableSpec
from coderai_desktop.domain.codebook_rules import codebook_problems
from coderai_desktop.projects.codebook_file import read_codebook_file
from coderai_desktop.resources_path import resource
from coderai_desktop.ui.variables.category_editor import (
    COL_DEFINITION,
    COL_LABEL,
    COL_VALUE,
    CategoryTableModel,
    parse_category_lines,
)
from coderai_desktop.ui.variables.dependency_editor import pattern_verdict
from coderai_desktop.ui.variables.variable_form import VariableForm
from coderai_desktop.ui.widgets.branding import stylesheet
from tests.gui.conftest import click_button, wait_for_message

DEMO = read_codebook_file(resource("demo", "codebook.yaml"))
SPECS = {variable.name: variable.model_dump(mode="json") for variable in DEMO.variables}
SHOTS = Path("/tmp/shots")


@pytest.fixture
def form(qtbot: Any) -> VariableForm:
    widget = VariableForm()
    qtbot.addWidget(widget)
    widget.resize(760, 900)
    widget.show()
    return widget


def show(form: VariableForm, name: str, fields: dict[str, Any] | None = None) -> None:
    """Show a demo variable (or other `fields` in its place), as the Codebook page does."""
    others = [other for other in SPECS if other != name]
    form.set_variable(fields or SPECS[name], others, {other: SPECS[other] for other in others})


def edited(qtbot: Any, form: VariableForm, action: Any) -> dict[str, Any]:
    """What sig_edited carries after `action` (a person's edit)."""
    with qtbot.waitSignal(form.sig_edited, timeout=3000) as blocker:
        action()
    return blocker.args[0]


def choose(combo: QComboBox, data: Any = None, *, text: str | None = None) -> None:
    """Pick an item (by its data or the start of its text) the way a person does: `activated` follows."""
    index = next(
        i
        for i in range(combo.count())
        if (text is not None and combo.itemText(i).startswith(text))
        or (text is None and combo.itemData(i) == data)
    )
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def retype(qtbot: Any, line: QLineEdit, text: str) -> None:
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def texts(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_every_demo_variable_round_trips_without_an_edit(qtbot, form) -> None:
    for name, fields in SPECS.items():
        with qtbot.assertNotEmitted(form.sig_edited, wait=0):
            show(form, name)
        assert form.fields() == fields, name
        assert VariableSpec.model_validate(form.fields()) == VariableSpec.model_validate(fields)


def test_what_the_codebook_allows_round_trips_as_written(form) -> None:
    """Valid variables the form words differently elsewhere come back as they were, so that showing
    one never changes it."""
    for name, changes in (
        ("sectors", {"default_value": "energy"}),  # one default without a list
        ("sectors", {"default_value": ["energy", "waste"]}),
        (
            "adoption_date",
            {
                "validation_rules": {
                    "min": None,
                    "max": None,
                    "pattern": None,
                    "allowed_values": ["2020", "2021-06"],
                }
            },
        ),
        (
            "has_net_zero_goal",
            {"validation_rules": {"min": None, "max": None, "pattern": None, "allowed_values": [True]}},
        ),
        (
            "emission_target_percent",
            {"confidence_threshold": 0.0, "if_uncertain": "SKIP", "max_values": None},
        ),
    ):
        fields = {**SPECS[name], **changes}
        show(form, name, fields)
        assert form.fields() == fields, name
        assert not codebook_problems(Codebook(variables=[VariableSpec.model_validate(fields)]))


def test_set_variable_never_emits_not_even_after_the_debounce(qtbot, form) -> None:
    qtbot.keyClicks(form.instructions, "typed but not yet reported")  # a debounce under way
    with qtbot.assertNotEmitted(form.sig_edited, wait=700):
        show(form, "sectors")
        show(form, "net_zero_year")


def test_each_edit_is_reported_once_with_all_the_fields(qtbot, form) -> None:
    show(form, "plan_title")
    seen: list[dict[str, Any]] = []
    form.sig_edited.connect(seen.append)
    form.name.selectAll()
    qtbot.keyClicks(form.name, "title_of_plan")
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    qtbot.wait(600)  # past the debounce: Return already reported it
    assert len(seen) == 1 and seen[0]["name"] == "title_of_plan"
    assert seen[0] == {**SPECS["plan_title"], "name": "title_of_plan"}
    qtbot.keyClick(form.name, Qt.Key.Key_Return)  # editing ends again with nothing changed
    assert len(seen) == 1


def test_the_name_is_reported_while_typing_for_a_live_check(qtbot, form) -> None:
    show(form, "plan_title")
    form.name.selectAll()
    fields = edited(qtbot, form, lambda: qtbot.keyClicks(form.name, "2 bad"))  # no Return: the pause
    assert fields["name"] == "2 bad"


def test_definition_fields_round_trip(qtbot, form) -> None:
    show(form, "plan_title")
    assert edited(qtbot, form, lambda: retype(qtbot, form.display_name, "Title"))["display_name"] == "Title"
    assert edited(qtbot, form, lambda: retype(qtbot, form.display_name, ""))["display_name"] is None
    form.instructions.selectAll()
    fields = edited(qtbot, form, lambda: qtbot.keyClicks(form.instructions, "The title on the cover."))
    assert fields["instructions"] == "The title on the cover."
    qtbot.keyClicks(form.classification_rules, "Ignore subtitles.")
    # Leaving the field reports at once, without waiting for the pause.
    with qtbot.waitSignal(form.sig_edited, timeout=100) as blocker:
        QApplication.sendEvent(form.classification_rules, QFocusEvent(QEvent.Type.FocusOut))
    assert blocker.args[0]["classification_rules"] == "Ignore subtitles."
    VariableSpec.model_validate(blocker.args[0])


def test_policies_round_trip_and_max_values_only_for_all(qtbot, form) -> None:
    show(form, "emission_target_percent")
    assert not form.max_values.isEnabled()
    assert (
        edited(qtbot, form, lambda: qtbot.keyClick(form.threshold, Qt.Key.Key_Up))["confidence_threshold"]
        == 0.75
    )
    assert edited(qtbot, form, lambda: choose(form.if_uncertain, "NULL"))["if_uncertain"] == "NULL"
    assert edited(qtbot, form, lambda: choose(form.if_uncertain, "SKIP"))["if_uncertain"] == "SKIP"
    assert edited(qtbot, form, lambda: choose(form.if_multiple, "LAST"))["if_multiple_values"] == "LAST"
    assert not form.max_values.isEnabled()
    fields = edited(qtbot, form, lambda: choose(form.if_multiple, "ALL"))
    assert fields["if_multiple_values"] == "ALL" and fields["max_values"] is None
    assert form.max_values.isEnabled()
    qtbot.keyClick(form.max_values, Qt.Key.Key_Up)
    fields = edited(qtbot, form, lambda: qtbot.keyClick(form.max_values, Qt.Key.Key_Up))
    assert fields["max_values"] == 2
    fields = edited(qtbot, form, lambda: choose(form.if_multiple, "SUMMARIZE"))
    assert fields["max_values"] is None and not form.max_values.isEnabled()
    assert VariableSpec.model_validate(fields).if_multiple_values == "SUMMARIZE"
    show(form, "sectors")
    assert form.max_values.isEnabled() and form.max_values.value() == 5


def test_the_default_value_widget_fits_the_type(qtbot, form) -> None:
    show(form, "plan_title")
    assert form.default.editor() is form.default.line
    assert (
        edited(qtbot, form, lambda: retype(qtbot, form.default.line, "Untitled"))["default_value"]
        == "Untitled"
    )

    show(form, "emission_target_percent")
    assert edited(qtbot, form, lambda: retype(qtbot, form.default.line, "1,234.5"))["default_value"] == 1234.5
    assert form.default.line.text() == "1234.5"  # shown as the app reads it
    # What cannot be read is kept as typed, for the codebook checks to explain.
    fields = edited(qtbot, form, lambda: retype(qtbot, form.default.line, "lots"))
    assert fields["default_value"] == "lots"
    problems = codebook_problems(Codebook(variables=[VariableSpec.model_validate(fields)]))
    assert [p.message for p in problems] == ["default: 'lots' is not a number"]

    show(form, "adoption_date")
    assert (
        edited(qtbot, form, lambda: retype(qtbot, form.default.line, "3 May 2021"))["default_value"]
        == "2021-05-03"
    )
    assert (
        edited(qtbot, form, lambda: retype(qtbot, form.default.line, "2021-05"))["default_value"] == "2021-05"
    )

    show(form, "has_net_zero_goal")
    assert form.default.editor() is form.default.combo
    assert texts(form.default.combo) == ["(none)", "yes", "no"]
    assert form.default.combo.currentText() == "no"  # the demo's default: false
    assert edited(qtbot, form, lambda: choose(form.default.combo, text="yes"))["default_value"] is True
    assert edited(qtbot, form, lambda: choose(form.default.combo, text="(none)"))["default_value"] is None

    show(form, "primary_instrument")
    assert texts(form.default.combo)[:3] == [
        "(none)",
        "regulation — Regulation",
        "subsidy — Subsidies and grants",
    ]
    fields = edited(qtbot, form, lambda: choose(form.default.combo, text="investment"))
    assert VariableSpec.model_validate(fields).default_value == "investment"

    show(form, "sectors")  # keeps all values: the default is a list
    assert form.default.editor() is form.default.line
    fields = edited(qtbot, form, lambda: retype(qtbot, form.default.line, "energy, Transport"))
    assert fields["default_value"] == ["energy", "transport"]  # read by value or label
    assert not codebook_problems(Codebook(variables=[VariableSpec.model_validate(fields)]))


def test_changing_the_type_keeps_what_fits_and_clears_the_rest(qtbot, form) -> None:
    show(
        form,
        "primary_instrument",
        {**SPECS["primary_instrument"], "ordered": True, "default_value": "subsidy"},
    )
    assert form.category_section.isVisibleTo(form)
    # A category renamed while it is the default: the default stays, shown as no longer a choice.
    fields = edited(
        qtbot, form, lambda: form.categories.model.setData(form.categories.model.index(1, 0), "grants")
    )
    assert (
        fields["default_value"] == "subsidy" and form.default.combo.currentText() == "subsidy (not a choice)"
    )
    assert "grants — Subsidies and grants" in texts(form.default.combo)
    form.categories.model.setData(form.categories.model.index(1, 0), "subsidy")
    fields = edited(qtbot, form, lambda: choose(form.type, "TEXT"))
    assert fields["type"] == "TEXT"
    assert fields["categories"] == [] and fields["ordered"] is False
    assert fields["default_value"] == "subsidy"  # still a text value
    assert not form.category_section.isVisibleTo(form)
    spec = VariableSpec.model_validate(fields)
    assert not codebook_problems(Codebook(variables=[spec]))
    # Back to category before another variable is shown: the categories were only out of sight.
    fields = edited(qtbot, form, lambda: choose(form.type, "CATEGORY"))
    assert fields["categories"] == SPECS["primary_instrument"]["categories"] and fields["ordered"] is True

    show(form, "emission_target_percent", {**SPECS["emission_target_percent"], "default_value": 50})
    fields = edited(qtbot, form, lambda: choose(form.type, "DATE"))
    assert fields["validation_rules"] is None and fields["default_value"] is None  # 0..100 are not dates
    assert form.rules.labels[form.rules.slots[("min",)]].text() == "Earliest"
    show(form, "plan_title", {**SPECS["plan_title"], "default_value": "12"})
    fields = edited(qtbot, form, lambda: choose(form.type, "NUMBER"))
    assert fields["default_value"] == 12
    fields = edited(qtbot, form, lambda: choose(form.type, "BOOLEAN"))
    assert fields["default_value"] is None and form.default.editor() is form.default.combo
    assert not form.rules.slots[("min",)].isVisibleTo(form)
    VariableSpec.model_validate(fields)


def test_validation_rules_by_type(qtbot, form) -> None:
    show(form, "emission_target_percent")
    assert [form.rules.minimum.line.text(), form.rules.maximum.line.text()] == ["0", "100"]
    fields = edited(qtbot, form, lambda: retype(qtbot, form.rules.maximum.line, "95.5"))
    assert fields["validation_rules"] == {"min": 0, "max": 95.5, "pattern": None, "allowed_values": None}
    qtbot.keyClicks(form.rules.allowed, "20")
    qtbot.keyClick(form.rules.allowed, Qt.Key.Key_Return)
    fields = edited(qtbot, form, lambda: qtbot.keyClicks(form.rules.allowed, "40"))
    assert fields["validation_rules"]["allowed_values"] == [20, 40]
    assert not form.rules.pattern.isVisibleTo(form)

    show(form, "adoption_date")
    assert form.rules.labels[form.rules.slots[("max",)]].text() == "Latest"
    fields = edited(qtbot, form, lambda: retype(qtbot, form.rules.minimum.line, "1995-06"))
    assert fields["validation_rules"]["min"] == "1995-06" and fields["validation_rules"]["max"] == "2035"
    qtbot.keyClicks(form.rules.allowed, "1 May 2020")
    fields = edited(
        qtbot, form, lambda: QApplication.sendEvent(form.rules.allowed, QFocusEvent(QEvent.Type.FocusOut))
    )
    assert fields["validation_rules"]["allowed_values"] == ["2020-05-01"]
    assert not form.rules.pattern.isVisibleTo(form)

    show(form, "plan_title")
    fields = edited(qtbot, form, lambda: retype(qtbot, form.rules.pattern, r"[A-Z].*"))
    assert fields["validation_rules"] == {
        "min": None,
        "max": None,
        "pattern": "[A-Z].*",
        "allowed_values": None,
    }
    fields = edited(qtbot, form, lambda: retype(qtbot, form.rules.pattern, ""))
    assert fields["validation_rules"] is None
    VariableSpec.model_validate(fields)

    show(form, "primary_instrument")
    assert "limited to its categories" in form.rules.none_hint.text()
    assert form.rules.none_hint.isVisibleTo(form)


def test_the_pattern_is_tested_live(qtbot, form) -> None:
    show(form, "plan_title")
    with qtbot.assertNotEmitted(form.sig_edited, wait=0):
        form.rules.pattern.setText(r"[A-Z]{2}-\d{4}")
        form.rules.sample.setText("AB-1234")
        assert form.rules.verdict.text() == "matches"
        form.rules.sample.setText("AB-12345")
        assert form.rules.verdict.text() == "does not match"
        form.rules.pattern.setText("[A-Z")
        assert form.rules.verdict.text().startswith("the pattern is not a valid regular expression: ")
    assert pattern_verdict("", "anything") == ""


def test_depends_on_follows_the_chosen_variable(qtbot, form) -> None:
    show(form, "net_zero_year")
    dependency = form.dependency
    assert dependency.only_when.isChecked()
    assert (
        dependency.value.editor() is dependency.value.combo and dependency.value.combo.currentText() == "yes"
    )
    assert "net_zero_year" not in texts(dependency.variable)
    fields = edited(qtbot, form, lambda: choose(dependency.value.combo, text="no"))
    assert fields["depends_on"] == {"variable": "has_net_zero_goal", "operator": "EQUALS", "value": False}

    fields = edited(qtbot, form, lambda: choose(dependency.variable, text="sectors"))
    assert "energy — Energy supply" in texts(dependency.value.combo)
    assert fields["depends_on"]["value"] is None  # false is not a sector
    fields = edited(qtbot, form, lambda: choose(dependency.value.combo, text="waste"))
    assert fields["depends_on"]["value"] == "waste"
    fields = edited(qtbot, form, lambda: choose(dependency.operator, "IN"))
    assert dependency.value.editor() is dependency.value.line and fields["depends_on"]["value"] == ["waste"]
    fields = edited(qtbot, form, lambda: retype(qtbot, dependency.value.line, "waste, Transport"))
    assert fields["depends_on"] == {"variable": "sectors", "operator": "IN", "value": ["waste", "transport"]}

    fields = edited(qtbot, form, lambda: choose(dependency.operator, "IS_SET"))
    assert not dependency.value.isVisibleTo(form) and fields["depends_on"]["value"] is None
    fields = edited(qtbot, form, lambda: choose(dependency.operator, "EQUALS"))
    fields = edited(qtbot, form, lambda: choose(dependency.variable, text="adoption_date"))
    assert dependency.value.editor() is dependency.value.line
    assert dependency.value.line.placeholderText() == "YYYY, YYYY-MM or YYYY-MM-DD"
    fields = edited(qtbot, form, lambda: retype(qtbot, dependency.value.line, "2020"))
    assert fields["depends_on"] == {"variable": "adoption_date", "operator": "EQUALS", "value": "2020"}
    codebook = Codebook(variables=[*(v for v in DEMO.variables if v.name != "net_zero_year"), fields])
    assert not codebook_problems(codebook)

    fields = edited(qtbot, form, lambda: dependency.only_when.click())
    assert fields["depends_on"] is None
    show(form, "plan_title")
    assert not dependency.only_when.isChecked() and not dependency.condition.isEnabled()
    fields = edited(qtbot, form, lambda: dependency.only_when.click())
    assert fields["depends_on"] == {"variable": "adoption_date", "operator": "EQUALS", "value": None}


def test_a_dependency_on_a_missing_variable_stays_visible(form) -> None:
    fields = {
        **SPECS["net_zero_year"],
        "depends_on": {"variable": "gone", "operator": "IS_SET", "value": None},
    }
    show(form, "net_zero_year", fields)
    assert form.dependency.variable.currentText() == "gone (no such variable)"
    assert form.fields()["depends_on"] == fields["depends_on"]
    form.set_variable(SPECS["plan_title"], [], {})
    assert not form.dependency.only_when.isEnabled()
    assert form.dependency.note.isVisibleTo(form)


def test_category_model_obeys_the_model_contract(qtmodeltester) -> None:
    model = CategoryTableModel()
    model.set_rows([dict(c) for c in SPECS["sectors"]["categories"]])
    qtmodeltester.check(model)
    assert model.index(0, COL_LABEL).data() == "Energy supply"
    assert model.headerData(2, Qt.Orientation.Vertical) == "3"
    assert model.setData(model.index(1, COL_DEFINITION), "  Insulation.  ")
    assert model.rows()[1]["definition"] == "Insulation."


def test_categories_are_edited_in_place_added_removed_and_moved(qtbot, form) -> None:
    show(form, "primary_instrument")
    editor = form.categories
    model = editor.model
    fields = edited(qtbot, form, lambda: model.setData(model.index(0, COL_LABEL), "Rules and bans"))
    assert fields["categories"][0]["label"] == "Rules and bans"

    fields = edited(qtbot, form, editor.add_button.click)
    assert [c["value"] for c in fields["categories"]][-1] == "category_5"
    assert editor.selected_rows() == [4]
    qtbot.keyClick(QApplication.focusWidget() or editor.table, Qt.Key.Key_Escape)  # leave the open editor

    editor.select([1])
    fields = edited(qtbot, form, editor.down_button.click)
    assert [c["value"] for c in fields["categories"]][:3] == ["regulation", "investment", "subsidy"]
    assert editor.selected_rows() == [2]
    fields = edited(qtbot, form, editor.up_button.click)
    assert [c["value"] for c in fields["categories"]][:3] == ["regulation", "subsidy", "investment"]
    editor.select([0])
    assert not editor.up_button.isEnabled()

    editor.select([0, 4])
    fields = edited(qtbot, form, editor.remove_button.click)
    assert [c["value"] for c in fields["categories"]] == ["subsidy", "investment", "information"]
    assert VariableSpec.model_validate(fields).categories[0].label == "Subsidies and grants"


def test_pasting_a_list_of_categories(qtbot, form) -> None:
    show(form, "primary_instrument")
    QGuiApplication.clipboard().setText("tax: Charges on emissions or fuel.\n\n- procurement\n")
    fields = edited(qtbot, form, form.categories.paste_button.click)
    added = fields["categories"][4:]
    assert added == [
        {"value": "tax", "label": None, "definition": "Charges on emissions or fuel.", "examples": []},
        {"value": "procurement", "label": None, "definition": None, "examples": []},
    ]
    assert form.categories.note.text() == "Added 2 categories from the clipboard."
    VariableSpec.model_validate(fields)

    QGuiApplication.clipboard().setText("")
    with qtbot.assertNotEmitted(form.sig_edited, wait=0):
        form.categories.paste_button.click()
    assert "no lines to add" in form.categories.note.text()


def test_pasted_lines_are_read_in_each_form() -> None:
    spreadsheet = "Value\tLabel\tDefinition\nlow\tLow\tBelow 10%.\nhigh\tHigh\tAbove 50%.\tSee annex."
    assert parse_category_lines(spreadsheet) == [
        {"value": "low", "label": "Low", "definition": "Below 10%.", "examples": []},
        {"value": "high", "label": "High", "definition": "Above 50%. See annex.", "examples": []},
    ]
    assert [row["value"] for row in parse_category_lines("1. first\n* second: Two.\n• third")] == [
        "first",
        "second",
        "third",
    ]


def test_merging_two_categories(qtbot, form) -> None:
    show(form, "sectors")
    editor = form.categories
    editor.select([0, 3])
    assert editor.merge_button.isEnabled()
    editor.merge_button.click()
    box = wait_for_message(qtbot)
    assert "Values already coded 'waste' are not changed" in box.text()
    with qtbot.waitSignal(form.sig_edited, timeout=3000) as blocker:
        click_button(box, "Merge")
    categories = blocker.args[0]["categories"]
    assert [c["value"] for c in categories] == ["energy", "buildings", "transport", "land_use"]
    assert categories[0]["label"] == "Energy supply / Waste"
    assert categories[0]["definition"] == (
        "Power and heat generation, district heating, renewables. Collection, recycling, landfill methane."
    )
    assert "are not changed" in editor.note.text()
    editor.select([1])
    assert not editor.merge_button.isEnabled()


def test_problems_are_shown_next_to_their_fields_and_cleared(qtbot, form) -> None:
    bad = {
        **SPECS["primary_instrument"],
        "name": "2bad",
        "categories": [
            {**c, "value": "regulation"} if i == 1 else c
            for i, c in enumerate(SPECS["primary_instrument"]["categories"])
        ],
        "validation_rules": {"min": 3, "max": None, "pattern": None, "allowed_values": ["x"]},
        "depends_on": {"variable": "has_net_zero_goal", "operator": "EQUALS", "value": "maybe"},
    }
    variables = [
        VariableSpec.model_validate(bad if v.name == "primary_instrument" else v.model_dump())
        for v in DEMO.variables
    ]
    row = [v.name for v in DEMO.variables].index("primary_instrument")
    found = {
        p.path[2:]: p.message
        for p in codebook_problems(Codebook(variables=variables))
        if p.path[:2] == ("variables", row)
    }
    assert set(found) == {
        ("name",),
        ("categories", 1, "value"),
        ("validation_rules", "min"),
        ("validation_rules", "allowed_values"),
        ("depends_on", "value"),
    }
    show(form, "primary_instrument", bad)
    form.show_problems(found)
    name_slot = form._targets[("name",)][0]
    assert name_slot.error.isVisibleTo(form) and name_slot.error.text() == found[("name",)]
    assert form.name.property("problem") is True
    categories_slot = form._targets[("categories",)][0]
    assert categories_slot.error.text() == "Category 2: 'regulation' appears twice"
    assert form.categories.model.index(1, COL_VALUE).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert form.categories.model.index(1, COL_LABEL).data(Qt.ItemDataRole.BackgroundRole) is None
    # Rules a category variable cannot have: their rows are hidden, so the section says it.
    checks = form.rules.slots[()].error
    assert checks.isVisibleTo(form)
    assert checks.text() == (
        "min: min and max apply to number and date variables\n"
        "allowed values: a category variable is limited by its categories"
    )
    dependency_slot = form._targets[("depends_on",)][0]
    assert dependency_slot.error.text() == "has_net_zero_goal: 'maybe' is not true or false"
    assert form.dependency.value.combo.property("problem") is True
    assert form.dependency.variable.property("problem") is not True
    assert not form.general.isVisibleTo(form)

    # A field pydantic refuses (the page words it) and a path no field owns.
    form.show_problems({("instructions",): "instructions: must not be empty", ("colour",): "odd"})
    assert not name_slot.error.isVisibleTo(form) and form.name.property("problem") is False
    assert form.categories.model.index(1, COL_VALUE).data(Qt.ItemDataRole.BackgroundRole) is None
    assert form._targets[("instructions",)][0].error.text() == "instructions: must not be empty"
    assert form.general.isVisibleTo(form) and form.general.error.text() == "colour: odd"
    show(form, "plan_title")  # another variable: nothing of the old problems stays
    assert not form.general.isVisibleTo(form)
    assert not form._targets[("instructions",)][0].error.isVisibleTo(form)


def test_screenshot_and_the_time_to_show_fifty_categories(qtbot, form) -> None:
    fifty = {
        **SPECS["primary_instrument"],
        "categories": [
            {
                "value": f"code_{n}",
                "label": f"Category {n}",
                "definition": f"What belongs in category {n}.",
                "examples": [],
            }
            for n in range(50)
        ],
    }
    started = time.perf_counter()
    show(form, "primary_instrument", fifty)
    elapsed = time.perf_counter() - started
    print(f"\nset_variable with 50 categories: {elapsed * 1000:.1f} ms")  # a figure to read, not an assertion
    assert form.fields()["categories"] == fifty["categories"]

    app = QApplication.instance()
    previous = app.styleSheet()
    app.setStyleSheet(stylesheet())
    try:
        show(form, "sectors")
        form.resize(760, 900)
        qtbot.wait(300)  # nested layouts settle one level per round of events
        assert form.category_section.height() == form.category_section.sizeHint().height()  # no gaps
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert form.grab().save(str(SHOTS / "variable_form.png"))
    finally:
        app.setStyleSheet(previous)


def test_worked_examples_are_shown_kept_and_removed(qtbot, form) -> None:
    examples = [
        {
            "quote": "emission_target_percent: 55",
            "value": 55,
            "explanation": "the city's",
            "source": "lyon.txt",
        },
        {"quote": "Transport falls by 30%", "value": None},
    ]
    form.set_variable({**SPECS["emission_target_percent"], "examples": examples}, [], {})
    assert form.examples.list.count() == 2 and not form.examples.empty.isVisibleTo(form)
    assert form.examples.list.item(0).text() == '"emission_target_percent: 55" → 55 (the city\'s)'
    assert form.fields()["examples"] == examples  # kept as they are when another field changes
    form.examples.list.setCurrentRow(0)
    with qtbot.waitSignal(form.sig_edited) as edited:
        form.examples.remove_button.click()
    assert edited.args[0]["examples"] == examples[1:]
    form.set_variable(SPECS["plan_title"], [], {})
    assert form.examples.empty.isVisibleTo(form) and form.fields()["examples"] == []
