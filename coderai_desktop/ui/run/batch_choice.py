"""The Run page's choice of the provider's batch service: offered for OpenAI and Azure OpenAI, disabled with
the reason for compatible local servers (they have no Batch API)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QWidget

from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.llm.batch_api import NO_BATCH_API, supports_batches

OFFER = "Through the provider's batch service: half price, results within 24 hours"
EXPLAINED = (
    "The requests are uploaded as batch jobs; the app polls them while it is open and again when it "
    "starts, and codes each document as its answers arrive. Closing the app loses nothing."
)


class BatchChoice(QCheckBox):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(OFFER, parent)
        self.setEnabled(False)

    @property
    def chosen(self) -> bool:
        return self.isEnabled() and self.isChecked()

    def show_provider(self, settings: ProviderSettings) -> None:
        offered = supports_batches(settings)
        self.setEnabled(offered)
        self.setToolTip(EXPLAINED if offered else NO_BATCH_API)
        if not offered:
            self.setChecked(False)
