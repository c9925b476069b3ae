"""Sharing projects between members (as viewer or editor), and opening a project shared with me.

A shared project is opened with a session of my account in the project's workspace, with the share's
access (`session_for`): every service then works on it unchanged, and the database a viewer's services
get refuses every write (Database.for_viewer).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from coderai_desktop.auth.credentials import LOGIN_PATTERN, normalise_login
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.errors import InvalidInputError, NotFoundError, ReadOnlyProjectError
from coderai_desktop.domain.project import ID_REFERENCE, ProjectRef, name_key
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.accounts import AccountRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.repositories.shares import (
    MemberRepository,
    OpenableProjectRepository,
    ShareRepository,
)
from coderai_desktop.persistence.tables import Project

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SharedProject:
    """A project I can open outside my own workspace."""

    project_id: int
    name: str
    workspace_id: int
    owner_login: str
    access: ShareAccess | None  # None: a workspace handed over to me: I own it


@dataclass(frozen=True)
class Share:
    login: str
    access: ShareAccess
    granted_at: datetime
    granted_by: str | None  # None once that account is deleted


def shared_reference(text: str) -> tuple[str, str] | None:
    """(owner, project) when `text` reads as OWNER/PROJECT (a login cannot hold a slash), else None."""
    owner, slash, project = text.strip().partition("/")
    owner = owner.lower()
    return (owner, project) if slash and project and LOGIN_PATTERN.fullmatch(owner) else None


class SharingService:
    def __init__(self, database: Database, user: UserSession):
        self._database = database
        self._user = user

    async def members(self) -> list[str]:
        """The logins I may share a project with: the other members of a lab database, or the other
        accounts of a SQLite file."""
        return await self._database.run(
            lambda session: sorted(
                login for login in MemberRepository(session).accounts() if login != self._user.login
            )
        )

    async def accessible(self) -> list[SharedProject]:
        """The projects shared with me, and those of workspaces handed over to me, by owner and name."""

        def read(session: Session) -> list[SharedProject]:
            accounts = AccountRepository(session)
            account = accounts.by_login(self._user.login)
            if account is None:
                raise NotFoundError(f"There is no account {self._user.login!r} any more.")
            # The one the login opens: handed-over workspaces are the account's too.
            own_workspace = (
                MemberRepository(session).own_workspace(account.id) or accounts.workspace_of(account).id
            )
            rows = OpenableProjectRepository(session, account.id).all(own_workspace)
            return [SharedProject(*row) for row in rows]

        return await self._database.run(read)

    async def find(self, owner_login: str, project: ProjectRef) -> SharedProject:
        """A project `owner_login` shared with me (or of a workspace handed over to me, when `owner_login` is
        mine), named as in its owner's workspace: by name, or '#ID'."""
        owner = owner_login.strip().lower()
        candidates = [shared for shared in await self.accessible() if shared.owner_login == owner]
        found = _match(candidates, project)
        if not found:
            raise NotFoundError(f"{owner} has shared no project named {str(project).strip()!r} with you.")
        if len(found) > 1:
            listed = " or ".join(f"'{owner}/#{shared.project_id}'" for shared in found)
            raise InvalidInputError(
                f"{owner}/{project} names {len(found)} projects: write {listed} to say which."
            )
        return found[0]

    async def find_job(self, job_id: int) -> SharedProject | None:
        """The project shared with me (or handed over) that job `job_id` codes; None if it is none of them."""
        openable = {shared.project_id: shared for shared in await self.accessible()}
        if not openable:
            return None
        project_id = await self._database.run(
            lambda session: OpenableProjectRepository(session, self._user.account_id).project_of_job(
                job_id, openable
            )
        )
        return None if project_id is None else openable[project_id]

    def session_for(self, shared: SharedProject) -> UserSession:
        """My session in a project I can open: my account and login, its workspace, the share's access."""
        owner = shared.owner_login if shared.access is not None else None
        return UserSession(
            self._user.account_id,
            self._user.login,
            shared.workspace_id,
            shared.access,
            owner,
            home_workspace_id=self._user.keys_workspace_id,
        )

    async def shares(self, project: ProjectRef) -> list[Share]:
        """Who the project is shared with, by login."""

        def read(session: Session) -> list[Share]:
            project_id = self._projects(session).resolve(project).id
            rows = ShareRepository(session, self._user.workspace_id).with_logins(project_id)
            return [Share(row.login, row.share.access, row.share.created_at, row.granted_by) for row in rows]

        return await self._database.run(read)

    async def share(self, project: ProjectRef, login: str, access: ShareAccess) -> Share:
        """Share the project I own with a member, or change what they may do in it."""

        def write(session: Session) -> Share:
            row = self._owned(session, project, "share it")
            member = normalise_login(login)
            if member == self._user.login:
                raise InvalidInputError(f"{row.name} is yours: share it with another member.")
            account_id = self._member_account(session, member)
            granted = ShareRepository(session, self._user.workspace_id).grant(
                row.id, account_id, access, self._user.account_id
            )
            return Share(member, granted.access, granted.created_at, self._user.login)

        share = await self._database.run(write)
        logger.info("Shared a project with %s as %s", share.login, share.access.lower())
        return share

    async def unshare(self, project: ProjectRef, login: str) -> None:
        """Stop sharing the project with a member: they can no longer open it."""

        def write(session: Session) -> None:
            row = self._owned(session, project, "stop sharing it")
            member = normalise_login(login)
            shares = ShareRepository(session, self._user.workspace_id)
            account_id = MemberRepository(session).accounts().get(member)
            share = None if account_id is None else shares.of_account(row.id, account_id)
            if share is None:
                raise NotFoundError(f"{row.name} is not shared with {member}.")
            shares.delete(share.id)

        await self._database.run(write)
        logger.info("Stopped sharing a project with %s", normalise_login(login))

    def _owned(self, session: Session, project: ProjectRef, action: str) -> Project:
        """The project, if I own it: only its owner shares it."""
        row = self._projects(session).resolve(project)
        if self._user.access is not None:
            raise ReadOnlyProjectError.owner_only(self._user.owner_login or "its owner", action)
        return row

    def _member_account(self, session: Session, login: str) -> int:
        accounts = MemberRepository(session).accounts()
        if login not in accounts:
            others = sorted(name for name in accounts if name != self._user.login)
            choices = (
                f"You can share with {', '.join(others)}." if others else "You are the only member so far."
            )
            raise NotFoundError(f"There is no member named {login!r}. {choices}")
        return accounts[login]

    def _projects(self, session: Session) -> ProjectRepository:
        return ProjectRepository(session, self._user.workspace_id)


def _match(candidates: list[SharedProject], project: ProjectRef) -> list[SharedProject]:
    """The candidates `project` names, as ProjectRepository.resolve reads a reference: an int or '#7' is an
    id; other text is a name or, when it is a number that names none of them, an id."""
    if isinstance(project, int):
        return [shared for shared in candidates if shared.project_id == project]
    text = project.strip()
    if match := ID_REFERENCE.fullmatch(text):
        return [shared for shared in candidates if shared.project_id == int(match[1])]
    named = [shared for shared in candidates if name_key(shared.name) == name_key(text)]
    if named or not (text.isascii() and text.isdigit()):
        return named
    return [shared for shared in candidates if shared.project_id == int(text)]
