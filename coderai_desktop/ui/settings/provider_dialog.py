"""Provider settings: which LLM, where, how fast and at what price; for the workspace, or one project."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.model_prices import EXAMPLE, model_prices_text, parse_model_prices
from coderai_desktop.domain.provider import (
    SYSTEM_MESSAGES,
    ExtractionMode,
    ProviderKind,
    ProviderSettings,
    StructuredOutput,
)
from coderai_desktop.llm.connection import ConnectionReport
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.branding import heading

KINDS = (
    (ProviderKind.OPENAI, "OpenAI"),
    (ProviderKind.AZURE, "Azure OpenAI"),
    (ProviderKind.COMPATIBLE, "OpenAI-compatible server (Ollama, LM Studio, llama.cpp, vLLM…)"),
)
AUTOMATIC = ""  # combo data for "not probed yet": Qt keeps no None as item data
FORMS = (
    (AUTOMATIC, "Automatic (what Test connection finds; else by provider)"),
    (StructuredOutput.JSON_SCHEMA, "Strict JSON schema"),
    (StructuredOutput.JSON_OBJECT_SCHEMA, "JSON object constrained by a schema (llama.cpp)"),
    (StructuredOutput.JSON_OBJECT, "JSON mode (any JSON object)"),
    (StructuredOutput.INSTRUCTIONS, "Instructions only (no response format)"),
)
SYSTEM_CHOICES = (
    ("auto", "Automatic (what Test connection finds; else as system messages)"),
    ("kept", "Kept: sent as system messages"),
    ("in-user-message", "Sent in the user message (the server's chat template drops system messages)"),
)
SYSTEM_WORD = {setting: word for word, setting in SYSTEM_MESSAGES.items()}
NO_LIMIT = 0  # spin boxes show 0 as "no limit"
PACKING_AUTOMATIC = -1  # the packing spin box shows -1 as "automatic" (by provider)


class ProviderDialog(QDialog):
    sig_saved = Signal(object)
    """The ProviderSettings now in force (for the project, when the dialog edits one)."""

    def __init__(
        self,
        providers: ProviderService,
        runner: TaskRunner,
        project: tuple[int, str] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._providers = providers
        self._runner = runner
        self._project = project
        self._workspace: ProviderSettings | None = None
        self._shown = ProviderSettings()
        title = f"Provider for {project[1]}" if project else "Provider settings"
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        subtitle = (
            "Settings for this project only; the rest comes from the workspace's provider settings."
            if project
            else "The LLM every project of your workspace uses, unless a project overrides it."
        )
        self.use_workspace = QCheckBox("Use the workspace's settings")
        self.use_workspace.setVisible(project is not None)
        self.use_workspace.toggled.connect(self._update_enabled)
        self.kind = QComboBox()
        for kind, label in KINDS:
            self.kind.addItem(label, kind)
        self.kind.currentIndexChanged.connect(self._update_enabled)
        self.kind.activated.connect(self._server_changed)
        self.model_edit = QLineEdit()
        self.model_edit.textEdited.connect(self._server_changed)
        self.base_url = QLineEdit()
        self.base_url.textEdited.connect(self._server_changed)
        self.base_url.setPlaceholderText("e.g. http://localhost:11434/v1 (Ollama); empty for OpenAI")
        self.azure_endpoint = QLineEdit()
        self.azure_deployment = QLineEdit()
        self.azure_version = QLineEdit()
        self.timeout = _spin(QDoubleSpinBox(), 1, 3600, " s")
        self.concurrency = _spin(QSpinBox(), 1, 64, " at once")
        self.rpm = _spin(QSpinBox(), NO_LIMIT, 1_000_000, " requests/min", "no limit")
        self.tpm = _spin(QSpinBox(), NO_LIMIT, 100_000_000, " tokens/min", "no limit")
        self.price_in = _spin(QDoubleSpinBox(), 0, 1000, " $ per 1M input tokens")
        self.price_out = _spin(QDoubleSpinBox(), 0, 1000, " $ per 1M output tokens")
        self.price_cached = _spin(QDoubleSpinBox(), 0, 1000, " $ per 1M cached input tokens", "as input")
        self.other_prices = QLineEdit()
        self.other_prices.setPlaceholderText(f"other models, $ per 1M tokens: {EXAMPLE}; …")
        self.other_prices.setToolTip(
            "The prices of the other models runs use (a variable's own model, the escalation model): "
            "model = input / output / cached input, separated by semicolons."
        )
        self.escalation = QLineEdit()
        self.escalation.setPlaceholderText("none: unsure values stay as first coded")
        self.escalation.setToolTip(
            "A stronger model that codes again the values below their variable's confidence threshold "
            "(or flagged); both answers are kept. Empty: no escalation."
        )
        self.context = _spin(QSpinBox(), 2000, 10_000_000, " tokens")
        self.budget = _spin(QSpinBox(), NO_LIMIT, 2_000_000_000, " tokens per run", "no limit")
        self.packing = _spin(
            QSpinBox(),
            PACKING_AUTOMATIC,
            1_000_000,
            " tokens of text per call",
            "automatic (on for OpenAI and Azure)",
        )
        self.packing.setToolTip(
            "Short documents (survey answers, posts, abstracts) travel several to a call, each in its own "
            "numbered block, while their text stays under this many tokens: the codebook is sent once for "
            "them all. 0: every document in calls of its own. Automatic: 4,000 for OpenAI and Azure; off for "
            "local servers, whose prompt cache already spares the codebook."
        )
        self.mode = QComboBox()
        self.mode.addItem(
            "One call per document for up to 20 variables (recommended)", ExtractionMode.GROUPED
        )
        self.mode.addItem("One call per document and variable", ExtractionMode.PER_VARIABLE)
        self.output = QComboBox()
        for form, label in FORMS:
            self.output.addItem(label, form)
        self.system = QComboBox()
        for word, label in SYSTEM_CHOICES:
            self.system.addItem(label, word)
        self.form = QFormLayout()
        for label, widget in (
            ("Provider:", self.kind),
            ("Model:", self.model_edit),
            ("Base URL:", self.base_url),
            ("Azure endpoint:", self.azure_endpoint),
            ("Azure deployment:", self.azure_deployment),
            ("Azure API version:", self.azure_version),
            ("Request timeout:", self.timeout),
            ("Concurrency:", self.concurrency),
            ("Requests limit:", self.rpm),
            ("Tokens limit:", self.tpm),
            ("Input price:", self.price_in),
            ("Output price:", self.price_out),
            ("Cached input price:", self.price_cached),
            ("Other models' prices:", self.other_prices),
            ("Escalation model:", self.escalation),
            ("Model context:", self.context),
            ("Token budget:", self.budget),
            ("Calls:", self.mode),
            ("Short documents together:", self.packing),
            ("Structured output:", self.output),
            ("System messages:", self.system),
        ):
            self.form.addRow(label, widget)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(title, subtitle))
        layout.addWidget(self.use_workspace)
        layout.addLayout(self.form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self._runner.run(
            self._load(), on_success=self._show, error_title="The settings cannot be read", parent=self
        )

    async def _load(self) -> tuple[ProviderSettings, ProviderSettings, bool]:
        workspace = await self._providers.settings()
        if self._project is None:
            return workspace, workspace, False
        overrides = await self._providers.project_overrides(self._project[0])
        return workspace, await self._providers.settings(self._project[0]), not overrides

    def _show(self, loaded: tuple[ProviderSettings, ProviderSettings, bool]) -> None:
        self._workspace, settings, inherits = loaded
        self._shown = settings
        self.kind.setCurrentIndex(self.kind.findData(settings.kind))
        self.model_edit.setText(settings.model)
        self.base_url.setText(settings.base_url or "")
        self.azure_endpoint.setText(settings.azure_endpoint or "")
        self.azure_deployment.setText(settings.azure_deployment or "")
        self.azure_version.setText(settings.azure_api_version)
        self.timeout.setValue(settings.request_timeout)
        self.concurrency.setValue(settings.concurrency)
        self.rpm.setValue(settings.requests_per_minute or NO_LIMIT)
        self.tpm.setValue(settings.tokens_per_minute or NO_LIMIT)
        self.price_in.setValue(settings.price_input_per_million)
        self.price_out.setValue(settings.price_output_per_million)
        self.price_cached.setValue(settings.price_cached_input_per_million or 0)
        self.other_prices.setText(model_prices_text(settings.model_prices))
        self.escalation.setText(settings.escalation_model or "")
        self.context.setValue(settings.context_tokens)
        self.budget.setValue(settings.token_budget or NO_LIMIT)
        self.mode.setCurrentIndex(self.mode.findData(settings.mode))
        self.packing.setValue(
            PACKING_AUTOMATIC if settings.pack_token_budget is None else settings.pack_token_budget
        )
        self._show_found(settings.structured_output, settings.system_messages)
        self.use_workspace.setChecked(inherits)
        self._update_enabled()

    def settings(self) -> ProviderSettings:
        values: dict[str, Any] = {
            "kind": self.selected_kind(),
            "model": self.model_edit.text().strip(),
            "base_url": self.base_url.text(),
            "azure_endpoint": self.azure_endpoint.text(),
            "azure_deployment": self.azure_deployment.text(),
            "azure_api_version": self.azure_version.text().strip() or "2024-10-21",
            "request_timeout": self.timeout.value(),
            "concurrency": self.concurrency.value(),
            "requests_per_minute": self.rpm.value() or None,
            "tokens_per_minute": self.tpm.value() or None,
            "price_input_per_million": self.price_in.value(),
            "price_output_per_million": self.price_out.value(),
            "price_cached_input_per_million": self.price_cached.value() or None,
            "model_prices": parse_model_prices(self.other_prices.text()),
            "escalation_model": self.escalation.text().strip() or None,
            "context_tokens": self.context.value(),
            "token_budget": self.budget.value() or None,
            "mode": ExtractionMode(self.mode.currentData()),
            "pack_token_budget": None if self.packing.value() == PACKING_AUTOMATIC else self.packing.value(),
            "structured_output": self.output.currentData() or None,
            "system_messages": SYSTEM_MESSAGES[self.system.currentData()],
        }
        # Settings the form does not show (which documents go alone, the batch price) are kept as they were.
        return ProviderSettings.model_validate({**self._shown.model_dump(), **values})

    def save(self) -> None:
        try:
            settings = self.settings()
        except (ValueError, InvalidInputError) as error:
            self.result_label.setText(f"Check the settings: {error}")
            return
        self._runner.run(
            self._save(settings),
            on_success=self._saved,
            error_title="The settings cannot be saved",
            parent=self,
        )

    async def _save(self, settings: ProviderSettings) -> ProviderSettings:
        if self._project is None:
            await self._providers.save_workspace_settings(settings)
            return settings
        if self.use_workspace.isChecked():
            return await self._providers.save_project_overrides(self._project[0], None)
        assert self._workspace is not None
        base = self._workspace.model_dump()
        overrides = {name: value for name, value in settings.model_dump().items() if base.get(name) != value}
        return await self._providers.save_project_overrides(self._project[0], overrides)

    def _saved(self, settings: ProviderSettings) -> None:
        self.sig_saved.emit(settings)
        self.accept()

    def test(self) -> None:
        """Test what is in the form (saved or not) with the key stored for that provider."""
        try:
            settings = self.settings()
        except (ValueError, InvalidInputError) as error:
            self.result_label.setText(f"Check the settings: {error}")
            return
        self.result_label.setText("Testing…")
        self.test_button.setEnabled(False)
        self._runner.run(
            self._providers.test(settings=settings),
            on_success=self._tested,
            on_failure=self._test_failed,
            name="provider-test",
        )

    def _tested(self, report: ConnectionReport) -> None:
        self.test_button.setEnabled(True)
        lines = [("✔ " if check.ok else "✘ ") + check.message for check in report.checks]
        if report.found is not None:  # what the server takes goes into the form, saved with the rest
            self._show_found(report.found.structured_output, report.found.system_messages)
            lines.append("Save to keep it.")
        self.result_label.setText("\n".join(lines))

    def _test_failed(self, error: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.result_label.setText(f"✘ {error}")

    def _server_changed(self) -> None:
        """What Test connection found was for another server or model."""
        self._show_found(None, None)

    def _show_found(self, form: StructuredOutput | None, system_messages: bool | None) -> None:
        self.output.setCurrentIndex(self.output.findData(form or AUTOMATIC))
        self.system.setCurrentIndex(self.system.findData(SYSTEM_WORD[system_messages]))

    def selected_kind(self) -> ProviderKind:
        return ProviderKind(self.kind.currentData())  # Qt hands enum data back as plain str

    def _update_enabled(self) -> None:
        editable = not self.use_workspace.isChecked()
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if item is not None and (field := item.widget()) is not None:
                field.setEnabled(editable)
        kind = self.selected_kind()
        for widget in (self.azure_endpoint, self.azure_deployment, self.azure_version):
            self.form.setRowVisible(widget, kind is ProviderKind.AZURE)
        self.form.setRowVisible(self.base_url, kind is not ProviderKind.AZURE)


def _spin(box: QSpinBox | QDoubleSpinBox, low: float, high: float, suffix: str, zero_text: str = "") -> Any:
    box.setRange(low, high)  # type: ignore[arg-type]
    box.setSuffix(suffix)
    if zero_text:
        box.setSpecialValueText(zero_text)
    return box
