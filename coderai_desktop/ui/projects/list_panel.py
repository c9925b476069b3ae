"""The sidebar: my projects, those shared with me, and the button that creates one."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from coderai_desktop.ui.projects.item_delegate import ProjectItemDelegate
from coderai_desktop.ui.projects.list_model import ROLE_ENTRY, ProjectEntry, ProjectListModel


class ProjectListPanel(QWidget):
    sig_selected = Signal(object)
    """The selected ProjectEntry, or None when nothing is selected."""

    sig_new_requested = Signal()
    """The person asked to create a project."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # paint the sidebar colour
        self.model = ProjectListModel()
        self.view = QListView()
        self.view.setObjectName("projectList")
        self.view.setModel(self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setItemDelegate(ProjectItemDelegate(self.view))
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setMouseTracking(True)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.new_button = QPushButton("New project…")
        self.new_button.setObjectName("primary")
        self.new_button.clicked.connect(self.sig_new_requested)
        title = QLabel("MY PROJECTS")
        title.setObjectName("sectionTitle")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.view, stretch=1)
        layout.addWidget(self.new_button)

    def set_projects(self, entries: list[ProjectEntry], select_id: int | None = None) -> None:
        """Show `entries`, keeping (or moving) the selection to `select_id` when it is among them."""
        self.model.set_entries(entries)
        row = self.model.row_of(select_id) if select_id is not None else None
        if row is None:
            row = self.model.first_project_row()
        if row is None:
            self.sig_selected.emit(None)
        else:
            self.view.setCurrentIndex(self.model.index(row))

    def selected(self) -> ProjectEntry | None:
        indexes = self.view.selectionModel().selectedIndexes()
        return indexes[0].data(ROLE_ENTRY) if indexes else None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.sig_selected.emit(self.selected())
