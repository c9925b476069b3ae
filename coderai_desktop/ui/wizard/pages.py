"""The New Project wizard's pages. Each page says when it is complete; nothing is saved before Finish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from coderai_desktop.domain.codebook import Codebook, ProjectContext, VariableSpec
from coderai_desktop.domain.codebook_rules import codebook_problems
from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.domain.project import name_key, project_name_problem
from coderai_desktop.formatting import count, shorten
from coderai_desktop.pipeline.copilot import Copilot
from coderai_desktop.projects.codebook_file import FILE_FILTER, read_codebook_file
from coderai_desktop.resources_path import resource
from coderai_desktop.ui.copilot.wizard_section import WizardCopilot
from coderai_desktop.ui.tasks import TaskRunner

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
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        copilot: Copilot | None = None,
        runner: TaskRunner | None = None,
        context: Callable[[], ProjectContext] | None = None,
    ):
        super().__init__(parent)
        self.setTitle("Codebook")
        self.setSubTitle(
            "Start with an empty codebook or a codebook file, and let the co-pilot suggest variables."
        )
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
        self.copilot = WizardCopilot(copilot, runner, context or _no_context, self.variables)
        self.copilot.sig_changed.connect(self._refresh)
        self.variables_title = QLabel()
        self.variables_title.setObjectName("sectionTitle")
        self.variables_list = QListWidget()
        self.variables_list.setMaximumHeight(84)
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
        layout.addSpacing(8)
        layout.addWidget(self.copilot, stretch=1)
        layout.addWidget(self.variables_title)
        layout.addWidget(self.variables_list)
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

    def variables(self) -> list[VariableSpec]:
        """The variables the project is created with: the file's, then the co-pilot's accepted ones (one
        that redefines a file's variable takes its place)."""
        loaded = self.codebook()
        variables = list(loaded.variables) if loaded is not None else []
        for accepted in self.copilot.accepted:
            at = next((i for i, v in enumerate(variables) if v.name == accepted.name), None)
            if at is None:
                variables.append(accepted)
            else:
                variables[at] = accepted
        return variables

    def isComplete(self) -> bool:
        file_ok = self.empty_radio.isChecked() or self.codebook() is not None
        return file_ok and not codebook_problems(Codebook(variables=self.variables()))

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
            self.status_label.setText("Variables can also be added later, on the Codebook page.")
        variables = self.variables()
        if problems := codebook_problems(Codebook(variables=variables)):
            self.status_label.setObjectName("error")
            self.status_label.setText(
                f"The file and the accepted proposals do not fit together: {problems[0].message}."
            )
        self.variables_list.clear()
        self.variables_list.addItems(
            [
                f"{v.name} ({v.type.lower()})" + (f": {v.display_name}" if v.display_name else "")
                for v in variables
            ]
        )
        self.variables_title.setText(f"The project starts with {count(len(variables), 'variable')}:")
        self.variables_title.setVisible(bool(variables))
        self.variables_list.setVisible(bool(variables))
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.completeChanged.emit()


def _no_context() -> ProjectContext:
    return ProjectContext(name="New project")
