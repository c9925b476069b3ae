"""Blind rounds of one workspace: a sample of a project's documents coded blind by several members, each
coder's done time, and which codings stay sealed until every coder of a round is done."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.lab_policies import is_lab_database
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import (
    Account,
    BlindRound,
    BlindRoundCoder,
    Project,
    ProjectShare,
    Workspace,
)


class BlindRoundRepository(ProjectPartRepository[BlindRound]):
    model = BlindRound
    noun = "blind round"

    def start(
        self, project_id: int, document_ids: Sequence[int], coders: dict[str, int], created_by: int
    ) -> BlindRound:
        """A round of these documents for these coders (login -> account id)."""
        round_row = self.add(
            BlindRound(
                project_id=project_id, document_ids=list(document_ids), created_by_account_id=created_by
            )
        )
        for login, account_id in coders.items():
            self.session.add(
                BlindRoundCoder(
                    workspace_id=self.workspace_id, round_id=round_row.id, account_id=account_id, coder=login
                )
            )
        self.session.flush()
        return round_row

    def coders(self, round_ids: Sequence[int]) -> dict[int, list[BlindRoundCoder]]:
        """Round id -> its coders, in the order they were named."""
        query = (
            sa.select(BlindRoundCoder)
            .where(BlindRoundCoder.workspace_id == self.workspace_id, BlindRoundCoder.round_id.in_(round_ids))
            .order_by(BlindRoundCoder.id)
        )
        found: dict[int, list[BlindRoundCoder]] = {round_id: [] for round_id in round_ids}
        for coder in self.session.scalars(query):
            found[coder.round_id].append(coder)
        return found

    def lab_progress(self, rounds: Sequence[BlindRound]) -> dict[tuple[int, str], int] | None:
        """In a lab database, (round id, coder login) -> the round's units the coder has coded: the other
        coders' codings of an open round are sealed from the member there (its policies say the same as
        `sealed`), so a helper of the database counts them, telling counts only. None elsewhere: every
        coding can be read and counted."""
        if not is_lab_database(self.session.connection()):
            return None
        query = sa.text("SELECT round_id, coder, units FROM public.coderai_lab_round_progress(:ids)")
        rows = self.session.execute(query, {"ids": [row.id for row in rounds]})
        return {(int(row.round_id), str(row.coder)): int(row.units) for row in rows}

    def mark_done(self, round_id: int, account_id: int) -> bool:
        """Record that this coder is done with the round (once: the first time stays); False when the
        account is not a coder of it."""
        coder = self.session.scalars(
            sa.select(BlindRoundCoder).where(
                BlindRoundCoder.workspace_id == self.workspace_id,
                BlindRoundCoder.round_id == round_id,
                BlindRoundCoder.account_id == account_id,
            )
        ).first()
        if coder is None:
            return False
        if coder.done_at is None:
            coder.done_at = utcnow()
            self.session.flush()
        return True

    def sealed(self, project_id: int, viewer: str | None) -> set[tuple[int, str]]:
        """(document id, coder login) of the codings `viewer` may not see yet: another coder's codings of
        the documents of a round that is not complete (not every coder is done). Only the coder sees
        their own; the owner, if not a coder, sees none of them either. A lab database's policies hold
        its members to the same rule (lab_policies.SEALED_CODING)."""
        rounds = self.of_project(project_id)
        coders = self.coders([round_row.id for round_row in rounds])
        sealed: set[tuple[int, str]] = set()
        for round_row in rounds:
            if all(coder.done_at is not None for coder in coders[round_row.id]):
                continue
            others = [coder.coder for coder in coders[round_row.id] if coder.coder != viewer]
            sealed.update((document_id, login) for document_id in round_row.document_ids for login in others)
        return sealed

    def possible_coders(self, project_id: int) -> dict[str, int]:
        """Login -> account id of everyone who may code the project: the owner of its workspace and the
        members it is shared with as editors (a viewer changes nothing, codings included)."""
        owner = (
            sa.select(Account.login, Account.id)
            .join(Workspace, Workspace.owner_account_id == Account.id)
            .join(Project, Project.workspace_id == Workspace.id)
            .where(Project.workspace_id == self.workspace_id, Project.id == project_id)
        )
        editors = (
            sa.select(Account.login, Account.id)
            .join(ProjectShare, ProjectShare.account_id == Account.id)
            .where(
                ProjectShare.workspace_id == self.workspace_id,
                ProjectShare.project_id == project_id,
                ProjectShare.access == ShareAccess.EDITOR,
            )
        )
        return {login: account_id for login, account_id in self.session.execute(sa.union(owner, editors))}
