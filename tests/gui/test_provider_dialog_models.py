"""The provider dialog's escalation model, other models' prices and packing: shown, saved, and checked."""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.provider import ModelPrice
from tests.gui.test_provider_dialog import open_dialog


def test_the_escalation_model_and_other_models_prices_are_saved_and_shown_again(
    qtbot: Any, context, alice, runner, run, plans_project
) -> None:
    providers = context.providers(alice)
    before = run(providers.settings())
    run(
        providers.save_workspace_settings(
            before.model_copy(update={"pack_document_tokens": 1234, "pack_token_budget": 3000})
        )
    )
    dialog = open_dialog(qtbot, context, alice, runner)
    assert dialog.escalation.text() == "" and dialog.other_prices.text() == ""
    assert dialog.price_cached.text() == "as input"
    assert dialog.packing.value() == 3000
    dialog.packing.setValue(-1)
    assert dialog.settings().pack_token_budget is None, "automatic: by provider"

    dialog.escalation.setText(" strong-model ")
    dialog.other_prices.setText("strong-model = 10 / 20 / 5; own-model = 3 / 4")
    dialog.price_cached.setValue(0.5)
    dialog.packing.setValue(0)
    with qtbot.waitSignal(dialog.sig_saved, timeout=10_000):
        dialog.save()

    saved = run(providers.settings())
    assert saved.escalation_model == "strong-model"
    assert saved.model_prices == {
        "strong-model": ModelPrice(input=10, output=20, cached_input=5),
        "own-model": ModelPrice(input=3, output=4),
    }
    assert saved.price_cached_input_per_million == 0.5
    assert saved.pack_token_budget == 0, "short documents each in calls of their own"
    assert saved.pack_document_tokens == 1234  # what the dialog does not show is kept
    again = open_dialog(qtbot, context, alice, runner)
    assert again.escalation.text() == "strong-model"
    assert again.other_prices.text() == "strong-model = 10 / 20 / 5; own-model = 3 / 4"
    assert again.packing.value() == 0, "short documents each in calls of their own"


def test_a_price_that_is_not_a_number_is_refused_in_words(qtbot: Any, context, alice, runner, run) -> None:
    dialog = open_dialog(qtbot, context, alice, runner)
    dialog.other_prices.setText("strong-model = ten / 20")

    dialog.save()

    assert "The price of strong-model is not a number" in dialog.result_label.text()
    assert dialog.isVisible() and run(context.providers(alice).settings()).model_prices == {}
