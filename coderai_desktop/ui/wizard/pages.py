"""The New Project wizard's pages. Each page says when it is complete; nothing is saved before Finish."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.domain.project import name_key, project_name_problem
from coderai_desktop.formatting import count, shorten
from coderai_desktop.projects.codebook_file import FILE_FILTER, read_codebook_file
from coderai_desktop.resources_path import resource

DOMAINS = ("", "Political science", "Public policy", "Law", "Economics", "Sociology", "Health", "Education")
LANGUAGES = ("English", "French", "German", "Spanish", "Portuguese", "Italian", "Dutch", "Chinese", "Arabic")


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


class BasicsPage(QWizardPage):
    def __init__(self, existing_names: set[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Project")
        self.setSubTitle("Name the project and say what the documents are about.")
        self._existing = {name_key(name) for name in existing_names}
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(200)
        self.name_edit.setPlaceholderText("e.g. Municipal climate action plans")
        self.name_edit.textChanged.connect(self._name_changed)
        self.name_problem = QLabel()
        self.name_problem.setObjectName("error")
        self.name_problem.setWordWrap(True)
        self.name_problem.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.name_problem.hide()
        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText("What is coded, and why. Every prompt is told this.")
        self.description_edit.setFixedHeight(90)
        self.domain_combo = QComboBox()
        self.domain_combo.setEditable(True)
        self.domain_combo.addItems(DOMAINS)
        self.language_combo = QComboBox()
        self.language_combo.setEditable(True)
        self.language_combo.addItems(LANGUAGES)
        form = QFormLayout(self)
        form.addRow("Name:", self.name_edit)
        form.addRow("", self.name_problem)
        form.addRow("Description:", self.description_edit)
        form.addRow("Domain:", self.domain_combo)
        form.addRow("Document language:", self.language_combo)

    def name(self) -> str:
        return self.name_edit.text().strip()

    def isComplete(self) -> bool:
        return bool(self.name()) and self._problem() is None

    def _problem(self) -> str | None:
        """The same rule as the project service's (domain/project.py), said next to the field."""
        if name_key(self.name()) in self._existing:
            return "A project with this name already exists. Choose another name."
        if problem := project_name_problem(self.name()):
            return f"{problem[0].upper()}{problem[1:]}."
        return None

    def _name_changed(self) -> None:
        problem = self._problem() if self.name() else None
        self.name_problem.setText(problem or "")
        self.name_problem.setVisible(problem is not None)
        self.completeChanged.emit()


class UnitPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Unit of observation")
        self.setSubTitle("What is one row of the dataset?")
        self.document_radio = QRadioButton("One row per document")
        self.entity_radio = QRadioButton("One row per entity found in a document")
        self.document_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.document_radio)
        group.addButton(self.entity_radio)
        group.buttonToggled.connect(self._changed)
        self.pattern_edit = QPlainTextEdit()
        self.pattern_edit.setPlaceholderText(
            "How to recognise one entity, e.g. 'each company named as a party to the contract' or "
            "'each patient described in the case report'."
        )
        self.pattern_edit.setFixedHeight(80)
        self.pattern_edit.textChanged.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.document_radio)
        layout.addWidget(_hint("A policy document, a contract, an interview: each gives one row."))
        layout.addSpacing(8)
        layout.addWidget(self.entity_radio)
        layout.addWidget(_hint("Several rows per document, one per entity (a party, a patient, a country)."))
        layout.addWidget(self.pattern_edit)
        layout.addStretch()
        self._changed()

    def unit(self) -> UnitOfObservation:
        return UnitOfObservation.ENTITY if self.entity_radio.isChecked() else UnitOfObservation.DOCUMENT

    def pattern(self) -> str | None:
        text = self.pattern_edit.toPlainText().strip()
        return text if self.unit() is UnitOfObservation.ENTITY and text else None

    def isComplete(self) -> bool:
        return self.unit() is UnitOfObservation.DOCUMENT or self.pattern() is not None

    def _changed(self) -> None:
        self.pattern_edit.setEnabled(self.entity_radio.isChecked())
        self.completeChanged.emit()


class CodebookChoicePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Codebook")
        self.setSubTitle("Start with an empty codebook, or import the variables from a codebook file.")
        self.empty_radio = QRadioButton("Start with an empty codebook")
        self.file_radio = QRadioButton("Import a codebook file (YAML or JSON)")
        self.demo_radio = QRadioButton("Start from the demo codebook (municipal climate action plans)")
        self.empty_radio.setChecked(True)
        group = QButtonGroup(self)
        for radio in (self.empty_radio, self.file_radio, self.demo_radio):
            group.addButton(radio)
        group.buttonToggled.connect(self._refresh)
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("No file chosen")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._browse)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, stretch=1)
        file_row.addWidget(self.browse_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_radio)
        layout.addWidget(self.file_radio)
        layout.addLayout(file_row)
        layout.addWidget(self.demo_radio)
        layout.addSpacing(8)
        layout.addWidget(self.status_label)
        layout.addWidget(
            _hint("A file's own project section is not used: the project keeps what you entered.")
        )
        layout.addStretch()
        self._loaded: dict[Path, Codebook | str] = {}
        self._refresh()

    def chosen_file(self) -> Path | None:
        if self.demo_radio.isChecked():
            return resource("demo", "codebook.yaml")
        if self.file_radio.isChecked() and self.path_edit.text():
            return Path(self.path_edit.text())
        return None

    def codebook(self) -> Codebook | None:
        path = self.chosen_file()
        loaded = self._load(path) if path is not None else None
        return loaded if isinstance(loaded, Codebook) else None

    def isComplete(self) -> bool:
        return self.empty_radio.isChecked() or self.codebook() is not None

    def set_file(self, path: Path) -> None:
        self._loaded.pop(path, None)  # read it again: it may have been edited since
        self.file_radio.setChecked(True)
        self.path_edit.setText(str(path))
        self._refresh()

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose a codebook file", str(Path.home()), FILE_FILTER)
        if name:
            self.set_file(Path(name))

    def _load(self, path: Path) -> Codebook | str:
        """The codebook, or the message saying why it cannot be used (read once per file)."""
        if path not in self._loaded:
            try:
                self._loaded[path] = read_codebook_file(path)
            except CoderAIError as error:
                self._loaded[path] = str(error)
        return self._loaded[path]

    def _refresh(self) -> None:
        choosing_file = self.file_radio.isChecked()
        self.path_edit.setEnabled(choosing_file)
        self.browse_button.setEnabled(choosing_file)
        path = self.chosen_file()
        loaded = self._load(path) if path is not None else None
        if isinstance(loaded, Codebook):
            names = ", ".join(variable.name for variable in loaded.variables)
            self.status_label.setObjectName("hint")
            self.status_label.setText(f"{count(len(loaded.variables), 'variable')}: {shorten(names, 200)}")
        elif isinstance(loaded, str):
            self.status_label.setObjectName("error")
            self.status_label.setText(loaded)
        else:
            self.status_label.setObjectName("hint")
            self.status_label.setText("Variables can be added later by importing a codebook file.")
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.completeChanged.emit()
