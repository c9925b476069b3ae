"""`coderai provider set` for the models of a run: the escalation model, the cached input price, and other
models' prices (added, changed and removed one by one)."""

from __future__ import annotations

import json

from tests.integration.conftest import Cli


def shown(coderai: Cli) -> dict[str, str]:
    """`coderai provider show`, setting by setting."""
    lines = coderai("provider", "show").out.splitlines()
    return {name: value.strip() for name, _colon, value in (line.partition(":") for line in lines)}


def test_the_escalation_model_and_model_prices_are_set_from_the_command_line(coderai: Cli) -> None:
    first = coderai(
        "provider",
        "set",
        "--escalation-model",
        "strong-model",
        "--price-cached-input",
        "0.05",
        "--model-price",
        "strong-model=10/20/5",
        "--model-price",
        "own-model=3/4",
    )
    assert first.code == 0, first.err
    second = coderai("provider", "set", "--model-price", "own-model=", "--model-price", "strong-model=9/18")
    assert second.code == 0, second.err

    settings = shown(coderai)
    assert settings["escalation_model"] == "strong-model"
    assert settings["price_cached_input_per_million"] == "0.05"
    prices = json.loads(settings["model_prices"].replace("'", '"').replace("None", "null"))
    assert prices == {"strong-model": {"input": 9.0, "output": 18.0, "cached_input": None}}

    cleared = coderai("provider", "set", "--escalation-model", "")
    assert cleared.code == 0 and shown(coderai)["escalation_model"] == ""


def test_a_price_that_is_not_a_number_is_refused_in_words(coderai: Cli) -> None:
    refused = coderai("provider", "set", "--model-price", "strong-model=ten/20")

    assert refused.code != 0
    assert "The price of strong-model is not a number" in refused.err
