"""Model answers to typed values: numbers as the document writes them ("1.234,5", "$4.5 million"),
dates to ISO 8601 (partial dates stay partial), booleans, and categories by value or label."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dateutil import parser as dateparser

from coderai_desktop.domain.codebook import ValidationRules, VariableSpec
from coderai_desktop.domain.codebook_rules import is_partial_iso_date
from coderai_desktop.domain.enums import VariableType

_MULTIPLIERS = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "mio": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}  # fmt: skip
_NUMBER = re.compile(r"[-+]?\d[\d\s.,'’]*(?:e[-+]?\d+)?")
_EXPONENT = re.compile(r"e[-+]?\d+$")
# A minus before the currency: "-$4.5 million", "- EUR 3".
_SIGN_BEFORE = re.compile(r"-\s*(?:[^\w\s]|[a-z]{1,3})?\s*$")
_TRUE = {"true", "yes", "y", "1", "oui", "ja", "sí", "si", "vrai"}
_FALSE = {"false", "no", "n", "0", "non", "nein", "faux"}
_ISO_PARTIAL = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_YEAR_FIRST = re.compile(r"\d{4}[-/.]")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20210503: ISO 8601's basic format
_EDGES = ".!\"'“”‘’ "  # around a one-word answer: "Yes.", 'no'
_MINUSES = str.maketrans({"−": "-", "–": "-"})
# Two defaults that differ in every part: a part that comes out the same both ways was in the text.
_DEFAULTS = (datetime(1111, 1, 1), datetime(2222, 2, 2))


# Answers that say a value is absent. Nothing can be quoted for them, so they need no quote.
ABSENCE_WORDS = frozenset(
    {"none", "no", "not stated", "not_stated", "not mentioned", "not given", "not applicable", "n/a", "na"}
)


class CoercionError(ValueError):
    """The answer is not a value of the variable's type; the message says what it was."""


def is_absence(variable: VariableSpec, value: Any) -> bool:
    """Whether a coded value says the document lacks something (no, none, not stated): a quote cannot
    show an absence, so asking for one would send every negative answer to review."""
    if value is None or value is False or value == []:
        return True
    if variable.type is VariableType.CATEGORY and isinstance(value, str):
        category = next((c for c in variable.categories if c.value == value), None)
        words = {value.casefold(), *([category.label.casefold()] if category and category.label else [])}
        return bool(words & ABSENCE_WORDS)
    return variable.type is VariableType.TEXT and isinstance(value, str) and value.casefold() in ABSENCE_WORDS


def check_value(variable: VariableSpec, value: Any) -> Any:
    """A researcher's value (a correction, a blind coding) coerced and checked with the rules the AI's
    values meet: the type, the categories, min/max, pattern, allowed values, and max_values for a
    variable that keeps several. None means "the document gives no value". Raises CoercionError."""
    if not variable.is_multi_valued:
        if isinstance(value, list):
            raise CoercionError(f"{variable.name} holds one value, not a list")
        checked = coerce(variable, value)
        if (problem := rule_problem(variable, checked)) is not None:
            raise CoercionError(problem)
        return checked
    if isinstance(value, str):  # several values in one text: "energy; transport"
        value = [part for part in value.split(";") if part.strip()]
    items = value if isinstance(value, list) else ([] if value is None else [value])
    checked_items = [check for item in items if (check := check_value(_single(variable), item)) is not None]
    unique = list(dict.fromkeys(checked_items))
    if variable.max_values is not None and len(unique) > variable.max_values:
        raise CoercionError(
            f"{len(unique)} values given; {variable.name} keeps at most {variable.max_values}"
        )
    return unique


def _single(variable: VariableSpec) -> VariableSpec:
    return variable.model_copy(update={"if_multiple_values": "FIRST", "max_values": None})


def coerce(variable: VariableSpec, value: Any) -> Any:
    """The value in the variable's type, or None for an empty answer; raises CoercionError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = variable.type
    if kind is VariableType.NUMBER:
        return _number(value)
    if kind is VariableType.DATE:
        return _date(value)
    if kind is VariableType.BOOLEAN:
        return _boolean(value)
    if kind is VariableType.CATEGORY:
        return _category(variable, value)
    return str(value).strip()


def rule_problem(variable: VariableSpec, value: Any) -> str | None:
    """Why a (coerced) value breaks the variable's validation rules, or None."""
    rules: ValidationRules | None = variable.validation_rules
    if rules is None or value is None:
        return None
    if rules.min is not None and _below(value, rules.min):
        return f"{value} is below the minimum {rules.min}"
    if rules.max is not None and _below(rules.max, value):
        return f"{value} is above the maximum {rules.max}"
    if rules.pattern is not None and isinstance(value, str) and not re.fullmatch(rules.pattern, value):
        return f"{value!r} does not match the pattern {rules.pattern}"
    if rules.allowed_values is not None and value not in rules.allowed_values:
        return f"{value!r} is not one of the allowed values"
    return None


def _below(low: Any, high: Any) -> bool:
    if isinstance(low, str) or isinstance(high, str):
        # ISO dates order as text, at the precision of the less precise one: 2020-06 is within 2020.
        first, second = str(low), str(high)
        shared = min(len(first), len(second))
        return first[:shared] < second[:shared]
    return bool(low < high)


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise CoercionError(f"{value} is not a number")
    if isinstance(value, int | float):
        return value
    text = str(value).strip().lower().translate(_MINUSES)
    match = _NUMBER.search(text)
    if not match:
        raise CoercionError(f"{value!r} is not a number")
    negative = (text.startswith("(") and text.endswith(")")) or bool(
        _SIGN_BEFORE.search(text[: match.start()])
    )
    number = _parse_digits(match.group().strip())
    after = text[match.end() :].strip().strip(".").split()
    if after and after[0] in _MULTIPLIERS:
        number *= _MULTIPLIERS[after[0]]
    number = -abs(number) if negative else number
    return int(number) if float(number).is_integer() else number


def _parse_digits(digits: str) -> float:
    """'1,234.5', '1.234,5', '1 234', '12,5', "1'234" and '4.5e6' all as a person reads them."""
    exponent = _EXPONENT.search(digits)
    if exponent:
        return _parse_digits(digits[: exponent.start()]) * 10 ** int(exponent.group()[1:])
    cleaned = re.sub(r"[\s'’]", "", digits)
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal, ".")
    elif "," in cleaned:
        head, _, tail = cleaned.rpartition(",")
        # 1,234 and 1,234,567 group thousands; 12,5 is a decimal comma
        cleaned = cleaned.replace(",", "") if len(tail) == 3 and head else cleaned.replace(",", ".")
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")
    try:
        return float(cleaned)
    except ValueError:
        raise CoercionError(f"{digits!r} is not a number") from None


def _date(value: Any) -> str:
    text = str(value).strip()
    if compact := _COMPACT_DATE.fullmatch(text):
        text = "-".join(compact.groups())
    if _ISO_PARTIAL.fullmatch(text):
        if not is_partial_iso_date(text):
            raise CoercionError(f"{text!r} is not a real date")
        return text
    # Day first (03/05/2021 is 3 May), except after a leading year (2021-05-03, 2021/05/03).
    dayfirst = not _YEAR_FIRST.match(text)
    try:
        first, second = (dateparser.parse(text, default=default, dayfirst=dayfirst) for default in _DEFAULTS)
    except (ValueError, OverflowError):
        raise CoercionError(f"{text!r} is not a date") from None
    if first.year != second.year:
        raise CoercionError(f"{text!r} does not say the year")
    iso = f"{first.year:04d}"
    if first.month == second.month:
        iso += f"-{first.month:02d}"
        if first.day == second.day:
            iso += f"-{first.day:02d}"
    return iso


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip(_EDGES).lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CoercionError(f"{value!r} is not yes or no")


def _category(variable: VariableSpec, value: Any) -> str:
    text = str(value).strip()
    for category in variable.categories:
        if text == category.value:
            return category.value
    for category in variable.categories:
        if text.casefold() in (category.value.casefold(), (category.label or "").casefold()):
            return category.value
    values = ", ".join(category.value for category in variable.categories)
    raise CoercionError(f"{text!r} is not one of the categories ({values})")
