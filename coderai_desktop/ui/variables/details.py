"""The full definition of one variable, as a coder would read it in a printed codebook."""

from __future__ import annotations

from html import escape
from typing import Any

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import IfUncertain
from coderai_desktop.ui.variables.table_model import policy


def variable_html(variable: VariableSpec) -> str:
    """HTML with every piece of user text escaped: a codebook is data, never markup."""
    parts = [
        f"<h3>{escape(variable.label)} <small><code>{escape(variable.name)}</code></small></h3>",
        f"<p><b>{escape(policy(variable.type))}</b></p>",
        _paragraphs(variable.instructions),
    ]
    if variable.categories:
        rows = "".join(
            f"<tr><td><code>{escape(c.value)}</code></td><td>{escape(c.label or '')}</td>"
            f"<td>{escape(c.definition or '')}"
            + (f"<br><i>Examples: {escape('; '.join(c.examples))}</i>" if c.examples else "")
            + "</td></tr>"
            for c in variable.categories
        )
        parts.append(
            "<h4>Categories</h4><table cellpadding='4'><tr><th align='left'>Value</th>"
            f"<th align='left'>Label</th><th align='left'>Definition</th></tr>{rows}</table>"
        )
    if variable.classification_rules:
        parts += ["<h4>Classification rules</h4>", _paragraphs(variable.classification_rules)]
    parts += ["<h4>Policies</h4>", _list(_policies(variable))]
    return "".join(parts)


def _policies(variable: VariableSpec) -> list[str]:
    uncertain = "leave empty" if variable.if_uncertain is IfUncertain.NULL else variable.if_uncertain.lower()
    items = [
        f"Confidence threshold {variable.confidence_threshold:.2f}; below it: {uncertain}",
        f"Several values: {variable.if_multiple_values.lower()}"
        + (f" (at most {variable.max_values})" if variable.max_values else ""),
    ]
    if variable.default_value is not None:
        items.append(f"Default: {_value(variable.default_value)}")
    rules = variable.validation_rules
    if rules is not None:
        given = rules.model_dump(exclude_none=True)
        items += [f"Valid {key.replace('_', ' ')}: {_value(value)}" for key, value in given.items()]
    if variable.depends_on is not None:
        dependency = variable.depends_on
        condition = dependency.operator.lower().replace("_", " ")
        value = "" if dependency.value is None else f" {_value(dependency.value)}"
        items.append(f"Only when {dependency.variable} {condition}{value}")
    return items


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(block)}</p>" for block in text.strip().split("\n\n"))


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"
