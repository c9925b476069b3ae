"""Turn plain data (parsed from a file, typed into a form) into a checked Codebook, or say what is wrong."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.codebook_rules import CodebookError, Path, Problem, codebook_problems

LineOf = Callable[[Path], int | None]
_SURROGATE = re.compile("[\ud800-\udfff]")


def codebook_from_data(data: Any, source: str = "codebook", line_of: LineOf | None = None) -> Codebook:
    """Validate everything first, so that a bad codebook is rejected whole and never half-loaded."""
    problems = list(_broken_text(data))  # first: pydantic names only those in text fields, less plainly
    if not problems:
        try:
            codebook = Codebook.model_validate(data)
        except ValidationError as error:
            problems = problems_from_validation_error(error, data)
        else:
            problems = codebook_problems(codebook)
    if problems:
        lines = [line_of(problem.path) if line_of else None for problem in problems]
        raise CodebookError(problems, source, lines)
    return codebook


def _broken_text(data: Any, path: Path = ()) -> Iterator[Problem]:
    """Text with half a character (a lone surrogate from an escape such as \\ud800) cannot be stored."""
    if isinstance(data, str):
        if _SURROGATE.search(data):
            yield Problem(path, "contains an escape for half of a character (\\ud800 to \\udfff); remove it")
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _broken_text(key, path)
            yield from _broken_text(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _broken_text(item, (*path, index))


def problems_from_validation_error(error: ValidationError, data: Any) -> list[Problem]:
    """One problem per field, with messages written for researchers rather than for programmers."""
    merged: dict[Path, list[str]] = {}
    for detail in error.errors():
        loc = tuple(detail["loc"])
        path = loc if detail["type"] == "missing" else _present_prefix(data, loc)
        message = _message(detail, loc)
        if message not in merged.setdefault(path, []):
            merged[path].append(message)
    return [Problem(path, "; ".join(messages)) for path, messages in merged.items()]


def _present_prefix(data: Any, loc: tuple[str | int, ...]) -> Path:
    """Drop what pydantic appends to a location (union member names, 'function-after'...)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            break
        node = node[part]
        path.append(part)
    return tuple(path)


def _message(detail: Any, loc: tuple[str | int, ...]) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        fields = [name for name in _model_at(loc[:-1]).model_fields if name != key]
        close = difflib.get_close_matches(key, fields, n=1, cutoff=0.75)
        return f"unknown field {key!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    if kind == "missing":
        return "required field is missing"
    if kind == "enum":
        expected = str(detail["ctx"]["expected"]).lower()
        given = detail["input"]
        return f"{given.lower() if isinstance(given, str) else given!r} is not one of {expected}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "expected a mapping of fields (name: value)"
    if kind == "list_type":
        return "expected a list"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_unicode":
        return "is not valid text (it holds half of a character, or bytes that are not UTF-8)"
    return str(detail["msg"])


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel]:
    """The model whose fields are expected at `loc` (list indices stay on the item model)."""
    model: type[BaseModel] = Codebook
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        nested = _nested_model(field.annotation) if field else None
        if nested is None:
            break
        model = nested
    return model


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """Category for list[Category], ValidationRules for ValidationRules | None, None for plain values."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_nested_model, get_args(annotation))), None)
