"""Accounts and their workspaces: the only data read before anyone is logged in."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.tables import Account, LoginFailure, Workspace


class AccountRepository:
    def __init__(self, session: Session):
        self.session = session

    def by_login(self, login: str) -> Account | None:
        return self.session.scalars(sa.select(Account).where(Account.login == login)).first()

    def add_with_workspace(self, login: str, password_hash: str) -> tuple[Account, Workspace]:
        account = Account(login=login, password_hash=password_hash)
        self.session.add(account)
        self.session.flush()
        workspace = Workspace(owner_account_id=account.id, name=f"{login}'s workspace")
        self.session.add(workspace)
        self.session.flush()
        return account, workspace

    def record_failure(self, login: str) -> int:
        """Count one more failed login for this name (an account or not); return the count."""
        failure = self.session.get(LoginFailure, login) or LoginFailure(login=login, count=0)
        failure.count += 1
        failure.last_failed_at = utcnow()
        self.session.add(failure)
        self.session.flush()
        return failure.count

    def clear_failures(self, login: str) -> None:
        self.session.execute(sa.delete(LoginFailure).where(LoginFailure.login == login))

    def workspace_of(self, account: Account) -> Workspace:
        """The personal workspace, created with the account (shared ones may come later)."""
        query = sa.select(Workspace).where(Workspace.owner_account_id == account.id).order_by(Workspace.id)
        workspace = self.session.scalars(query).first()
        assert workspace is not None, "every account is created with its workspace"
        return workspace
