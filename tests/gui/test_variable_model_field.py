"""The variable form's Model field: empty means the project's model; a model typed in is reported with the
variable's fields and shown again as it was saved."""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.codebook import VariableSpec
from tests.gui.test_variable_form import SPECS, edited, form, retype, show

__all__ = ["form"]  # the fixture, shared with the form's own tests


def test_the_model_field_is_empty_for_the_projects_model_and_round_trips(qtbot: Any, form: Any) -> None:
    show(form, "plan_title")
    assert form.model.text() == "" and form.fields()["model"] is None

    fields = edited(qtbot, form, lambda: retype(qtbot, form.model, " strong-model "))

    assert fields["model"] == "strong-model"
    assert VariableSpec.model_validate(fields).model == "strong-model"
    show(form, "sectors")
    assert form.model.text() == ""
    show(form, "plan_title", {**SPECS["plan_title"], "model": "strong-model"})
    assert form.model.text() == "strong-model"
    assert edited(qtbot, form, lambda: retype(qtbot, form.model, ""))["model"] is None
