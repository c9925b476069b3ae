"""Other models' prices written on one line, as the provider dialog and `coderai provider set` take them:
"gpt-4o = 2.5 / 10 / 1.25; o3-mini = 1.1 / 4.4" (dollars per million input, output and, optionally,
cached input tokens)."""

from __future__ import annotations

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.provider import ModelPrice

SEPARATOR = ";"
EXAMPLE = "gpt-4o = 2.5 / 10 / 1.25"


def parse_model_price(text: str) -> tuple[str, ModelPrice | None]:
    """One "MODEL = INPUT / OUTPUT [/ CACHED]"; "MODEL =" alone: no price of its own (None)."""
    model, equals, figures = (part.strip() for part in text.partition("="))
    if not model or not equals:
        raise InvalidInputError(f"Write a model's price as {EXAMPLE!r} (model = input / output / cached).")
    if not figures:
        return model, None
    try:
        numbers = [float(figure) for figure in figures.split("/")]
    except ValueError:
        raise InvalidInputError(
            f"The price of {model} is not a number: write it as {EXAMPLE!r} (dollars per million tokens)."
        ) from None
    if len(numbers) not in (2, 3) or min(numbers) < 0:
        raise InvalidInputError(
            f"The price of {model} needs an input and an output price (and optionally a cached input "
            f"price), none negative: e.g. {EXAMPLE!r}."
        )
    cached = numbers[2] if len(numbers) == 3 else None
    return model, ModelPrice(input=numbers[0], output=numbers[1], cached_input=cached)


def parse_model_prices(text: str) -> dict[str, ModelPrice]:
    """Every model's price on a line separated by semicolons (empty: none)."""
    prices: dict[str, ModelPrice] = {}
    for part in filter(None, (part.strip() for part in text.split(SEPARATOR))):
        model, price = parse_model_price(part)
        if price is not None:
            prices[model] = price
    return prices


def model_prices_text(prices: dict[str, ModelPrice]) -> str:
    return f"{SEPARATOR} ".join(f"{model} = {_figures(price)}" for model, price in prices.items())


def _figures(price: ModelPrice) -> str:
    figures = [price.input, price.output, *([price.cached_input] if price.cached_input is not None else [])]
    return " / ".join(f"{figure:g}" for figure in figures)
