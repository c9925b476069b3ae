"""Codebook files (YAML or JSON, chosen by extension) that researchers version and share.

Reading names the line and field of every problem and returns nothing unless the whole file is valid.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import Reader

from coderai_desktop.domain.codebook import Codebook, VariableSpec
from coderai_desktop.domain.codebook_input import codebook_from_data
from coderai_desktop.domain.codebook_rules import CodebookError, Problem
from coderai_desktop.domain.codebook_rules import Path as FieldPath
from coderai_desktop.domain.enums import IfUncertain
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.projects.codebook_yaml import (
    MAX_DEPTH,
    CodebookDumper,
    CodebookLoader,
    UnusableYAML,
)
from coderai_desktop.regular_files import NotARegularFile, open_regular

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
FILE_FILTER = "Codebook files (*.yaml *.yml *.json)"
# A codebook of 2,000 variables with long instructions is about 2 MB (and takes PyYAML seconds to read).
MAX_FILE_BYTES = 2 * 2**20
_JSON_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]+|\\.)*"|[][{}]')
_WIDE_BYTE_ORDER_MARKS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise InvalidInputError(
            f"{path.name}: a codebook file ends in .yaml, .yml or .json; this one ends in {path.suffix!r}."
        ) from None


def read_codebook_file(path: Path) -> Codebook:
    kind = file_format(path)
    return parse_codebook(_decode(_read_bytes(path), path), kind, source=path.name)


def parse_codebook(text: str, kind: str, source: str = "codebook") -> Codebook:
    if not text.strip():
        raise InvalidInputError(f"{source} is empty: it needs at least a 'variables:' list.")
    _refuse_forbidden_character(text, source)
    root, data = _load_json(text, source) if kind == "json" else _load_yaml(text, source)
    if data is None:
        raise InvalidInputError(f"{source} is empty: it needs at least a 'variables:' list.")
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
    return yaml.dump(data, Dumper=CodebookDumper, sort_keys=False, allow_unicode=True, width=100)


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


def _read_bytes(path: Path) -> bytes:
    """The whole file, refused unread when it is not a regular file (a pipe or device would block or
    never end) or is larger than any codebook."""
    try:
        with open_regular(path) as stream:
            data = stream.read(MAX_FILE_BYTES + 1)  # one byte too many is enough to refuse
    except FileNotFoundError:
        raise InvalidInputError(f"There is no file {path}.") from None
    except NotARegularFile as error:
        what = "a folder" if stat.S_ISDIR(error.mode) else "a device, pipe or socket"
        raise InvalidInputError(
            f"{path} is {what}, not a file: choose a .yaml or .json codebook file."
        ) from None
    except (OSError, ValueError) as error:  # ValueError: a NUL in the name
        raise InvalidInputError(f"{path} cannot be read: {_reason(error)}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(
            f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB; a codebook file is a few kilobytes. "
            "Check that this is the codebook you meant."
        )
    return data


def _reason(error: Exception) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(_WIDE_BYTE_ORDER_MARKS):
        raise InvalidInputError(f"{path.name} is saved as UTF-16 or UTF-32; save it as UTF-8 and try again.")
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise InvalidInputError(
            f"{path.name}, line {line}: byte 0x{error.object[error.start]:02X} is not UTF-8 text; "
            "save the file as UTF-8 and try again."
        ) from None


def _refuse_forbidden_character(text: str, source: str) -> None:
    """YAML allows only printable characters; JSON only escaped controls, so one rule serves both."""
    if match := Reader.NON_PRINTABLE.search(text):
        character = match.group()
        what = (
            "a NUL character (0x00)" if character == "\0" else f"the control character U+{ord(character):04X}"
        )
        raise InvalidInputError(
            f"{source}, {_line_and_column(text, match.start())}: the file contains {what}, which YAML and "
            "JSON do not allow; delete it (it often comes from copying out of a PDF or a word processor)."
        )


def _refuse_deep_json(text: str, source: str) -> None:
    """Python's JSON parser recurses once per level; stop at the codebook's limit, naming the place."""
    depth = 0
    for match in _JSON_STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidInputError(
                    f"{source}, {_line_and_column(text, match.start())}: the file nests deeper than "
                    f"{MAX_DEPTH} levels here; a codebook needs far fewer."
                )
        elif token in "]}":
            depth -= 1


def _line_and_column(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)  # rfind is -1 on the first line
    return f"line {line}, column {column}"


def _load_json(text: str, source: str) -> tuple[Node | None, Any]:
    _refuse_deep_json(text, source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{source}, line {error.lineno}, column {error.colno}: {error.msg}."
        ) from None
    except ValueError:  # Python's limit on the digits of an int
        raise InvalidInputError(f"{source}: a number in the file has too many digits to read.") from None
    root = _compose_quietly(text)
    _refuse_duplicate_keys(root, source)
    return root, data


def _compose_quietly(text: str) -> Node | None:
    """Node positions of a JSON text (JSON is YAML); only used to name lines, so failures are fine."""
    try:
        # YAML refuses tabs as indentation; valid JSON has none inside strings, so spaces change nothing.
        return yaml.compose(text.replace("\t", " "), Loader=CodebookLoader)
    except yaml.YAMLError:
        return None


def _load_yaml(text: str, source: str) -> tuple[Node | None, Any]:
    try:
        loader = CodebookLoader(text)
        try:
            root = loader.get_single_node()
            # Before constructing, which flattens merge keys into the nodes: `<<: *defaults` followed
            # by a key that overrides one of the defaults is not a duplicate.
            _refuse_duplicate_keys(root, source)
            return root, (loader.construct_document(root) if root is not None else None)
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise InvalidInputError(_yaml_message(error, source)) from None


def _yaml_message(error: yaml.YAMLError, source: str) -> str:
    if not isinstance(error, yaml.MarkedYAMLError):
        return f"{source}: not valid YAML ({error})."
    mark = error.problem_mark or error.context_mark
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    what = " ".join(part for part in (error.context, error.problem) if part)
    return f"{source}{where}: {what}" + ("." if isinstance(error, UnusableYAML) else " (not valid YAML).")


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


def _refuse_duplicate_keys(root: Node | None, source: str) -> None:
    if duplicates := _duplicate_keys(root):
        problems = [problem for problem, _line in duplicates]
        raise CodebookError(problems, source, [line for _problem, line in duplicates])


def _duplicate_keys(node: Node | None, path: FieldPath = ()) -> list[tuple[Problem, int]]:
    """YAML and JSON parsers keep the last of two equal keys silently; a codebook must not."""
    found: list[tuple[Problem, int]] = []
    if isinstance(node, MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                continue  # a list or mapping as a key: the YAML constructor refuses it
            name = key.value
            if name in seen:
                found.append((Problem((*path, name), f"{name!r} is given twice"), key.start_mark.line + 1))
            seen.add(name)
            found += _duplicate_keys(value, (*path, name))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            found += _duplicate_keys(item, (*path, index))
    return found
