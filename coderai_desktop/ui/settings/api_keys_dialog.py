"""API keys per provider: saved in the OS keyring, or kept for this session when there is none."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.auth.secrets import KeyStatus, SecretStore
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.branding import heading

PROVIDERS = (
    ("openai", "OpenAI"),
    ("azure", "Azure OpenAI"),
    ("compatible", "OpenAI-compatible server (Ollama, LM Studio, vLLM…)"),
)


class ApiKeysDialog(QDialog):
    def __init__(
        self, secrets: SecretStore, workspace_id: int, runner: TaskRunner, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self._secrets = secrets
        self._workspace_id = workspace_id
        self._runner = runner
        self.setWindowTitle("API keys")
        self.setMinimumWidth(520)
        self.provider_combo = QComboBox()
        for provider, label in PROVIDERS:
            self.provider_combo.addItem(label, provider)
        self.provider_combo.currentIndexChanged.connect(self._refresh)
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste the key here")
        self.status_label = QLabel()
        self.status_label.setObjectName("hint")
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton("Save key")
        self.save_button.setObjectName("primary")
        self.key_edit.textChanged.connect(lambda text: self.save_button.setEnabled(bool(text.strip())))
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save)
        self.forget_button = QPushButton("Forget key")
        self.forget_button.clicked.connect(self._forget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.forget_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Provider:", self.provider_combo)
        form.addRow("API key:", self.key_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(
            heading(
                "API keys",
                "Keys are stored in your system's keyring, never in the project database, settings or logs.",
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)
        self._refresh()

    def provider(self) -> str:
        return str(self.provider_combo.currentData())

    def _refresh(self) -> None:
        self._runner.run(
            self._secrets.status(self._workspace_id, self.provider()),
            on_success=self._show,
            name="key-status",
        )

    def _save(self) -> None:
        key = self.key_edit.text()
        self.key_edit.clear()
        self._runner.run(
            self._secrets.set_api_key(self._workspace_id, self.provider(), key), on_success=self._show
        )

    def _forget(self) -> None:
        self._runner.run(
            self._secrets.delete_api_key(self._workspace_id, self.provider()), on_success=self._show
        )

    def _show(self, status: KeyStatus) -> None:
        self.status_label.setText(status.message)
        self.forget_button.setEnabled(status.has_key)
        self.adjustSize()
