"""Projects shared between members: the shares of one workspace's projects, the members a project can be
shared with, and the projects a member can open besides those of their own workspace."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.project import name_key
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import (
    Account,
    LabMember,
    ProcessingJob,
    Project,
    ProjectShare,
    Workspace,
)


class ShareRow(NamedTuple):
    share: ProjectShare
    login: str  # who the project is shared with
    granted_by: str | None  # None once that account is deleted


class OpenableProject(NamedTuple):
    project_id: int
    name: str
    workspace_id: int
    owner_login: str
    access: ShareAccess | None  # None: a workspace handed over to the member, who now owns it


class ShareRepository(ProjectPartRepository[ProjectShare]):
    """The shares of the workspace's projects (the workspace is the owner's)."""

    model = ProjectShare
    noun = "share"

    def with_logins(self, project_id: int) -> list[ShareRow]:
        grantee, granter = aliased(Account), aliased(Account)
        query = (
            sa.select(ProjectShare, grantee.login, granter.login)
            .join(grantee, grantee.id == ProjectShare.account_id)
            .outerjoin(granter, granter.id == ProjectShare.granted_by_account_id)
            .where(ProjectShare.workspace_id == self.workspace_id, ProjectShare.project_id == project_id)
            .order_by(grantee.login)
        )
        return [ShareRow(*row) for row in self.session.execute(query)]

    def of_account(self, project_id: int, account_id: int) -> ProjectShare | None:
        query = self.select().where(
            ProjectShare.project_id == project_id, ProjectShare.account_id == account_id
        )
        return self.session.scalars(query).first()

    def grant(self, project_id: int, account_id: int, access: ShareAccess, granted_by: int) -> ProjectShare:
        """Share the project with the account, or change the access it has (granted anew, now)."""
        share = self.of_account(project_id, account_id)
        if share is None:
            return self.add(
                ProjectShare(
                    project_id=project_id,
                    account_id=account_id,
                    access=access,
                    granted_by_account_id=granted_by,
                )
            )
        share.access, share.granted_by_account_id, share.created_at = access, granted_by, utcnow()
        self.session.flush()
        return share


class MemberRepository:
    """Who a project can be shared with: the members of a lab database, or else (a SQLite file, a server
    without `coderai lab init`) every account."""

    def __init__(self, session: Session):
        self.session = session

    def accounts(self) -> dict[str, int]:
        """Login -> account id. A member's login is their database role's name."""
        members = self.session.execute(sa.select(LabMember.role_name, LabMember.account_id)).all()
        rows = members or self.session.execute(sa.select(Account.login, Account.id)).all()
        return {login: account_id for login, account_id in rows}

    def own_workspace(self, account_id: int) -> int | None:
        """A lab member's own workspace (the one they log in to); None outside a lab database."""
        query = sa.select(LabMember.workspace_id).where(LabMember.account_id == account_id)
        return self.session.scalar(query)


class OpenableProjectRepository:
    """The projects an account can open outside its own workspace: those shared with it, and those of the
    workspaces handed over to it (a removed member's)."""

    def __init__(self, session: Session, account_id: int):
        self.session = session
        self.account_id = account_id

    def all(self, own_workspace_id: int) -> list[OpenableProject]:
        owner = aliased(Account)
        shared = (
            sa.select(Project.id, Project.name, Project.workspace_id, owner.login, ProjectShare.access)
            .select_from(ProjectShare)
            .join(
                Project,
                (Project.id == ProjectShare.project_id) & (Project.workspace_id == ProjectShare.workspace_id),
            )
            .join(Workspace, Workspace.id == Project.workspace_id)
            .join(owner, owner.id == Workspace.owner_account_id)
            # A share in a workspace handed over to the account since is ownership now: listed once, below.
            .where(ProjectShare.account_id == self.account_id, Workspace.owner_account_id != self.account_id)
        )
        handed_over = (
            sa.select(Project.id, Project.name, Project.workspace_id, owner.login, sa.null().label("access"))
            .join(Workspace, Workspace.id == Project.workspace_id)
            .join(owner, owner.id == Workspace.owner_account_id)
            .where(Workspace.owner_account_id == self.account_id, Workspace.id != own_workspace_id)
        )
        rows = [
            OpenableProject(row.id, row.name, row.workspace_id, row.login, row.access)
            for query in (shared, handed_over)
            for row in self.session.execute(query)
        ]
        return sorted(rows, key=lambda row: (row.owner_login, name_key(row.name), row.project_id))

    def project_of_job(self, job_id: int, project_ids: Iterable[int]) -> int | None:
        """Which of `project_ids` (projects the account can open) job `job_id` codes, if any."""
        query = sa.select(ProcessingJob.project_id).where(
            ProcessingJob.id == job_id, ProcessingJob.project_id.in_(list(project_ids))
        )
        return self.session.scalar(query)
