"""The table models obey Qt's model contract (qtmodeltester) and show what a researcher expects."""

from __future__ import annotations

from datetime import UTC, datetime

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import ProjectStatus
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.projects.list_model import ROLE_SUMMARY, ProjectListModel, describe


def summary(project_id: int, name: str, variables: int = 0) -> ProjectSummary:
    now = datetime.now(UTC)
    return ProjectSummary(
        id=project_id,
        context=ProjectContext(name=name),
        status=ProjectStatus.SCHEMA_DEFINED if variables else ProjectStatus.CREATED,
        variable_count=variables,
        document_count=1,
        created_at=now,
        updated_at=now,
    )


def test_project_list_model(qtmodeltester) -> None:
    model = ProjectListModel()
    model.set_projects([summary(1, "Alpha", 7), summary(2, "Beta")])
    qtmodeltester.check(model)
    assert model.index(0).data() == "Alpha"
    assert model.index(1).data(ROLE_SUMMARY).id == 2
    assert model.row_of(2) == 1 and model.row_of(9) is None
    assert describe(summary(1, "Alpha", 7)) == "Codebook defined · 7 variables · 1 document"
