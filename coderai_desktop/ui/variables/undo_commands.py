"""Every change to the codebook draft is one of these undo steps.

A command changes the draft through the editor's list model (variables) or its draft (the project
context), then tells the editor which variable to show (`changed`). Consecutive edits of the same text field
of the same variable merge into one step, so that undo takes back a word typed, not a letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from coderai_desktop.ui.variables.draft import CodebookDraft, Fields, blank_variable
from coderai_desktop.ui.variables.variable_list import VariableListModel

EDIT_VARIABLE_ID, EDIT_CONTEXT_ID = 1001, 1002


class Editor(Protocol):
    draft: CodebookDraft
    model: VariableListModel

    def changed(self, row: int | None) -> None:
        """The draft changed: check it again and show `row` (None: keep the selection)."""


def text_field_edited(old: Fields, new: Fields) -> str | None:
    """The one text field that differs between `old` and `new`, or None when it is not that kind of edit."""
    keys = [key for key in old.keys() | new.keys() if old.get(key) != new.get(key)]
    if len(keys) != 1:
        return None
    before, after = old.get(keys[0]), new.get(keys[0])
    return keys[0] if isinstance(before, str | None) and isinstance(after, str) else None


class _Edit(QUndoCommand):
    """Replace one set of fields by another; typing in one text field merges into one step."""

    merge_id = -1

    def __init__(self, editor: Editor, old: Fields, new: Fields, text: str, session: int | None = None):
        super().__init__(text)
        self.editor, self.old, self.new = editor, old, new
        # Edits merge only within one session of typing (the page starts a new one when the selection moves).
        self.session = session
        self.field = text_field_edited(old, new) if session is not None else None

    def id(self) -> int:
        return self.merge_id if self.field is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, type(self)) or not self._same_target(other):
            return False
        if other.session != self.session or other.field != self.field or self.field is None:
            return False
        self.new = other.new
        self.setObsolete(self.old == self.new)
        return True

    def _same_target(self, other: Any) -> bool:
        return True


class EditVariable(_Edit):
    merge_id = EDIT_VARIABLE_ID

    def __init__(self, editor: Editor, row: int, new: Fields, text: str = "", session: int | None = None):
        old = editor.model.fields(row)
        super().__init__(editor, old, new, text or f"edit {new.get('name') or old.get('name')}", session)
        self.row = row

    def _same_target(self, other: Any) -> bool:
        return bool(other.row == self.row)

    def redo(self) -> None:
        self.editor.model.replace(self.row, self.new)
        self.editor.changed(self.row)

    def undo(self) -> None:
        self.editor.model.replace(self.row, self.old)
        self.editor.changed(self.row)


class EditContext(_Edit):
    merge_id = EDIT_CONTEXT_ID

    def __init__(self, editor: Editor, new: Fields, text: str = "edit the project context", **kwargs: Any):
        super().__init__(editor, editor.draft.context, new, text, **kwargs)

    def redo(self) -> None:
        self.editor.draft.context = self.new
        self.editor.changed(None)

    def undo(self) -> None:
        self.editor.draft.context = self.old
        self.editor.changed(None)


class InsertVariable(QUndoCommand):
    """Add, duplicate, or a variable the co-pilot proposed."""

    def __init__(self, editor: Editor, row: int, fields: Fields, text: str):
        super().__init__(text)
        self.editor, self.row, self.fields = editor, row, fields

    def redo(self) -> None:
        self.editor.model.insert(self.row, self.fields)
        self.editor.changed(self.row)

    def undo(self) -> None:
        self.editor.model.remove(self.row)
        rows = self.editor.model.rowCount()
        self.editor.changed(min(max(self.row - 1, 0), rows - 1) if rows else None)


class DeleteVariable(QUndoCommand):
    def __init__(self, editor: Editor, row: int):
        self.editor, self.row, self.fields = editor, row, editor.model.fields(row)
        super().__init__(f"delete {self.fields.get('name') or 'a variable'}")

    def redo(self) -> None:
        self.editor.model.remove(self.row)
        rows = self.editor.model.rowCount()
        self.editor.changed(min(self.row, rows - 1) if rows else None)

    def undo(self) -> None:
        self.editor.model.insert(self.row, self.fields)
        self.editor.changed(self.row)


class MoveVariable(QUndoCommand):
    def __init__(self, editor: Editor, row: int, to: int):
        name = editor.model.fields(row).get("name") or "a variable"
        super().__init__(f"move {name}")
        self.editor, self.row, self.to = editor, row, to

    def redo(self) -> None:
        self.editor.model.move(self.row, self.to)
        self.editor.changed(self.to)

    def undo(self) -> None:
        self.editor.model.move(self.to, self.row)
        self.editor.changed(self.row)


def proposal_command(editor: Editor, proposal: Sequence[Any]) -> QUndoCommand:
    """One undo step for a co-pilot proposal:

    ('variable', fields): a new variable at the end, or new fields for the variable of that name;
    ('categories', name, categories): categories added to the variable's own (those it does not have yet);
    ('instructions', name, text): the variable's instructions;
    ('unit', unit, pattern): the project's unit of observation and entity identification pattern.
    """
    kind, *parts = proposal
    if kind == "variable":
        (fields,) = parts
        fields = {**blank_variable(""), **_plain(fields)}
        row = editor.draft.row_of(str(fields.get("name")))
        if row is None:
            text = f"add {fields.get('name')} (co-pilot)"
            return InsertVariable(editor, editor.model.rowCount(), fields, text)
        return EditVariable(editor, row, fields, f"replace {fields.get('name')} (co-pilot)")
    if kind in ("categories", "instructions"):
        name, value = parts
        row = editor.draft.row_of(name)
        if row is None:
            raise ValueError(f"The codebook has no variable named {name!r}.")
        new = dict(editor.model.fields(row))
        if kind == "categories":  # the ones it is missing: added after its own, none twice
            own = list(new.get("categories") or [])
            taken = {str(category.get("value", "")).casefold() for category in own}
            added = [c for c in _plain(value) if str(c.get("value", "")).casefold() not in taken]
            new["categories"] = own + added
            new["type"] = "CATEGORY"
        else:
            new["instructions"] = value
        return EditVariable(editor, row, new, f"{kind} of {name} (co-pilot)")
    if kind == "unit":
        unit, pattern = parts
        context = {
            **editor.draft.context,
            "unit_of_observation": str(unit).strip().upper(),
            "entity_identification_pattern": pattern or None,
        }
        return EditContext(editor, context, "unit of observation (co-pilot)")
    raise ValueError(f"Unknown kind of proposal: {kind!r}")


def _plain(value: Any) -> Any:
    """Pydantic models (a Category, a VariableSpec) as the JSON-shaped data the draft holds."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
