"""Codebook files (YAML or JSON, chosen by extension) that researchers version and share.

Reading names the line and field of every problem and returns nothing unless the whole file is valid.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from coderai_desktop.domain.codebook import Codebook, VariableSpec
from coderai_desktop.domain.codebook_input import codebook_from_data
from coderai_desktop.domain.codebook_rules import CodebookError, Problem
from coderai_desktop.domain.codebook_rules import Path as FieldPath
from coderai_desktop.domain.enums import IfUncertain
from coderai_desktop.domain.errors import InvalidInputError

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
FILE_FILTER = "Codebook files (*.yaml *.yml *.json)"


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as written (2020-05-01 stays text, as the codebook stores dates)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(yaml.SafeDumper):
    """Multi-line text (instructions, definitions) as readable blocks rather than escaped strings."""


_Dumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    ),
)


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise InvalidInputError(
            f"{path.name}: a codebook file ends in .yaml, .yml or .json; this one ends in {path.suffix!r}."
        ) from None


def read_codebook_file(path: Path) -> Codebook:
    kind = file_format(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"There is no file {path}.") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{path.name} is not UTF-8 text; save it as UTF-8 and try again.") from None
    except OSError as error:
        raise InvalidInputError(f"{path} cannot be read: {error.strerror}.") from None
    return parse_codebook(text, kind, source=path.name)


def parse_codebook(text: str, kind: str, source: str = "codebook") -> Codebook:
    if not text.strip():
        raise InvalidInputError(f"{source} is empty: it needs at least a 'variables:' list.")
    if kind == "json":
        data = _load_json(text, source)
        root = _compose_quietly(text)
    else:
        data, root = _load_yaml(text, source)
    if data is None:
        raise InvalidInputError(f"{source} is empty: it needs at least a 'variables:' list.")
    if duplicates := _duplicate_keys(root):
        problems = [problem for problem, _line in duplicates]
        raise CodebookError(problems, source, [line for _problem, line in duplicates])
    return codebook_from_data(data, source, lambda path: _line_of(root, path))


def write_codebook_file(path: Path, codebook: Codebook) -> None:
    """Write atomically: an existing file is either replaced whole or left as it was."""
    text = codebook_text(codebook, file_format(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise InvalidInputError(
            f"{path} cannot be written: {error.strerror}. Choose another folder."
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise InvalidInputError(f"{path} cannot be written: {error.strerror}.") from None
        raise


def codebook_text(codebook: Codebook, kind: str) -> str:
    data = codebook_to_data(codebook)
    if kind == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def codebook_to_data(codebook: Codebook) -> dict[str, Any]:
    """The file shape: lower-case choices, and no field that only repeats 'not set'."""
    data: dict[str, Any] = {}
    if codebook.project is not None:
        project = codebook.project.model_dump(mode="json", exclude_none=True)
        project["unit_of_observation"] = project["unit_of_observation"].lower()
        data["project"] = project
    data["variables"] = [_variable_to_data(variable) for variable in codebook.variables]
    return data


def _variable_to_data(variable: VariableSpec) -> dict[str, Any]:
    data = variable.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data["type"] = variable.type.lower()
    data["confidence_threshold"] = variable.confidence_threshold
    # The NULL policy is written as YAML/JSON null, which reads back as that policy.
    data["if_uncertain"] = (
        None if variable.if_uncertain is IfUncertain.NULL else variable.if_uncertain.lower()
    )
    data["if_multiple_values"] = variable.if_multiple_values.lower()
    if variable.depends_on is not None:
        data["depends_on"]["operator"] = variable.depends_on.operator.lower()
    order = [*VariableSpec.model_fields]
    return {key: data[key] for key in sorted(data, key=order.index)}


def _load_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{source}, line {error.lineno}, column {error.colno}: {error.msg}."
        ) from None


def _load_yaml(text: str, source: str) -> tuple[Any, Node | None]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(part for part in (error.context, error.problem) if part)
        raise InvalidInputError(f"{source}{where}: {what} (not valid YAML).") from None
    except yaml.YAMLError as error:
        raise InvalidInputError(f"{source}: not valid YAML ({error}).") from None
    finally:
        loader.dispose()


def _compose_quietly(text: str) -> Node | None:
    """Node positions of a JSON text (JSON is YAML); only used to name lines, so failures are fine."""
    try:
        # YAML refuses tabs as indentation; valid JSON has none inside strings, so spaces change nothing.
        return yaml.compose(text.replace("\t", " "), Loader=_Loader)
    except yaml.YAMLError:
        return None


def _line_of(root: Node | None, path: FieldPath) -> int | None:
    """The line of the deepest node on `path` that the file has (1-based)."""
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for part in path:
        if isinstance(node, MappingNode):
            match = next((pair for pair in node.value if getattr(pair[0], "value", None) == part), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _duplicate_keys(node: Node | None, path: FieldPath = ()) -> list[tuple[Problem, int]]:
    """YAML and JSON parsers keep the last of two equal keys silently; a codebook must not."""
    found: list[tuple[Problem, int]] = []
    if isinstance(node, MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            name = getattr(key, "value", None)
            if name in seen:
                found.append((Problem((*path, name), f"{name!r} is given twice"), key.start_mark.line + 1))
            seen.add(name)
            found += _duplicate_keys(value, (*path, name))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            found += _duplicate_keys(item, (*path, index))
    return found
