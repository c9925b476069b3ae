"""Sharing grants exactly what it says, in every table, to members connected with raw SQL: a viewer reads the
shared project and nothing else of its owner's, and changes nothing; an editor changes and adds but neither
deletes the project nor shares it; unsharing, removing a member and handing projects over do what they say."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors

from coderai_desktop.auth.lab_login import LabConnectionError, check_member
from coderai_desktop.persistence import lab_admin
from tests.integration.lab.conftest import NOW, Lab, LabWithMembers, Member, fill_project_as, insert
from tests.integration.lab.scopes import (
    READ_BY_EVERY_MEMBER,
    TABLES,
    as_json,
    everything,
    insert_copy,
    rows_of,
    try_to_change,
)

pytestmark = pytest.mark.postgres

Rows = dict[str, set[Any]]


@dataclass(frozen=True)
class Shared:
    lab: Lab
    ana: Member
    ben: Member
    cleo: Member
    plans: int  # shared with ben and cleo, as viewers
    housing: int  # ana's other project, shared with nobody

    def project_rows(self, project: int) -> Rows:
        """The project's rows in every table: those that deleting it takes away (tried, then rolled back)."""
        with self.lab.owner() as owner, owner.transaction(force_rollback=True):
            before = everything(owner, self.ana)
            owner.execute("DELETE FROM projects WHERE id = %s", (project,))
            after = everything(owner, self.ana)
        return {table: before[table] - after[table] for table in before}

    def anas_rows(self) -> Rows:
        with self.lab.owner() as owner:
            return everything(owner, self.ana)

    def shares_of(self, member: Member) -> set[int]:
        with self.lab.owner() as owner:
            rows = owner.execute("SELECT id FROM project_shares WHERE account_id = %s", (member.account_id,))
            return {row[0] for row in rows}

    def remove(self, member: Member, *, hand_over_to: Member | None) -> lab_admin.Removal:
        engine = self.lab.admin_engine()
        try:
            return lab_admin.remove_member(
                engine, member.name, hand_over_to=hand_over_to.name if hand_over_to else None
            )
        finally:
            engine.dispose()


@pytest.fixture
async def shared(members: LabWithMembers, tmp_path: Path) -> Shared:
    cleo = members.lab.add_member("cleo")
    ana, ben = members.ana, members.ben
    plans = await fill_project_as(ana, tmp_path, "Climate plans", share_with=[ben, cleo])
    housing = await fill_project_as(ana, tmp_path, "Housing plans", share_with=[])
    return Shared(members.lab, ana, ben, cleo, plans, housing)


def seen_by(member: Member, shared: Shared) -> Rows:
    with member.connect() as connection:
        return everything(connection, shared.ana)


def viewer_sees(shared: Shared, member: Member, projects: list[int]) -> Rows:
    """What a member the projects are shared with reads of ana's rows: those of the projects, ana's account and
    lab row, her workspace (the projects'), and of the shares only their own."""
    hers = shared.anas_rows()
    expected: Rows = {table: set() for table in hers}
    for project in projects:
        for table, rows in shared.project_rows(project).items():
            expected[table] |= rows
    expected["project_shares"] &= shared.shares_of(member)
    expected["workspaces"] = hers["workspaces"] if projects else set()
    return {**expected, **{table: hers[table] for table in READ_BY_EVERY_MEMBER}}


async def test_a_viewer_reads_exactly_the_shared_project_and_changes_nothing(shared: Shared) -> None:
    plans = shared.project_rows(shared.plans)
    assert all(plans[table.name] for table in TABLES if table.name not in _NOT_A_PROJECTS), plans
    assert seen_by(shared.ben, shared) == viewer_sees(shared, shared.ben, [shared.plans])

    before = _contents(shared)
    with shared.ben.connect() as ben:
        for table in TABLES:
            assert try_to_change(ben, table, rows_of(table, shared.ana)) == (0, 0), table.name
        with shared.lab.owner() as owner:
            copies = [(t, as_json(owner, t, next(iter(plans[t.name])))) for t in TABLES if plans[t.name]]
        for table, row in copies:
            with pytest.raises(errors.InsufficientPrivilege):
                insert_copy(ben, table, row)
    assert _contents(shared) == before


_NOT_A_PROJECTS = {"accounts", "workspaces", "lab_members", "login_failures"}


async def test_an_editor_changes_and_adds_but_neither_deletes_the_project_nor_shares_it(
    shared: Shared,
) -> None:
    ana, ben = shared.ana, shared.ben
    with ana.connect() as connection:
        made = connection.execute(
            "UPDATE project_shares SET access = 'EDITOR' WHERE account_id = %s", (ben.account_id,)
        )
        assert made.rowcount == 1
    plans = shared.project_rows(shared.plans)
    with ben.connect() as connection:
        for table in TABLES:
            changed = try_to_change(connection, table, rows_of(table, ana))
            if table.name in _NOT_A_PROJECTS or table.name == "project_shares":
                assert changed == (0, 0), table.name
            else:
                deletable = 0 if table.name == "projects" else len(plans[table.name])
                assert changed == (len(plans[table.name]), deletable), table.name
        document = insert(
            connection, "documents", **document_row(ana.workspace_id, shared.plans, "bergen.txt", "b", 120)
        )
        extraction = next(iter(plans["extractions"]))
        review = insert(
            connection,
            "extraction_feedback",
            workspace_id=ana.workspace_id,
            extraction_id=extraction,
            feedback_type="INCORRECT",
            account_id=ben.account_id,
            created_at=NOW,
        )
        assert connection.execute("DELETE FROM extraction_feedback WHERE id = %s", (review,)).rowcount == 1
        assert connection.execute("DELETE FROM documents WHERE id = %s", (document,)).rowcount == 1
        for refused in (
            lambda: insert(
                connection, "documents", **document_row(ana.workspace_id, shared.housing, "x.txt", "c", 1)
            ),
            lambda: insert(
                connection,
                "project_shares",
                workspace_id=ana.workspace_id,
                project_id=shared.plans,
                account_id=ben.account_id,
                access="EDITOR",
                created_at=NOW,
            ),
        ):
            with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
                refused()


async def test_unsharing_ends_access(shared: Shared) -> None:
    with shared.ana.connect() as ana:
        gone = ana.execute("DELETE FROM project_shares WHERE account_id = %s", (shared.ben.account_id,))
        assert gone.rowcount == 1
    assert seen_by(shared.ben, shared) == viewer_sees(shared, shared.ben, [])
    assert seen_by(shared.cleo, shared) == viewer_sees(shared, shared.cleo, [shared.plans])


async def test_a_removed_member_can_no_longer_connect_and_loses_their_shares(shared: Shared) -> None:
    ben = shared.ben
    open_connection = ben.connect()
    removal = shared.remove(ben, hand_over_to=None)
    assert (removal.projects, removal.handed_to, removal.already_removed) == (0, None, False)
    with pytest.raises(psycopg.OperationalError):
        open_connection.execute("SELECT 1")  # ended by the removal
    with pytest.raises(psycopg.OperationalError):
        ben.connect()
    with pytest.raises(LabConnectionError, match="Wrong member name or password"):
        check_member(ben.url)
    assert shared.shares_of(ben) == set()
    assert seen_by(shared.cleo, shared) == viewer_sees(shared, shared.cleo, [shared.plans])


async def test_handing_over_gives_the_projects_to_the_heir_and_keeps_the_others_shares(
    shared: Shared,
) -> None:
    hers = shared.anas_rows()
    removal = shared.remove(shared.ana, hand_over_to=shared.ben)
    assert (removal.projects, removal.handed_to) == (2, shared.ben.name)
    with pytest.raises(psycopg.OperationalError):
        shared.ana.connect()
    assert shared.shares_of(shared.ben) == set()  # the heir's own share would only repeat what they own
    now_bens = {**hers, "login_failures": set(), "lab_members": set()}
    now_bens["project_shares"] = shared.shares_of(shared.cleo)
    assert seen_by(shared.ben, shared) == now_bens
    assert seen_by(shared.cleo, shared) == {
        **viewer_sees(shared, shared.cleo, [shared.plans]),
        "lab_members": set(),
    }
    with shared.ben.connect() as ben:
        assert ben.execute("DELETE FROM projects WHERE id = %s", (shared.housing,)).rowcount == 1


async def test_kept_projects_are_nobodys_until_handed_over(shared: Shared) -> None:
    removal = shared.remove(shared.ana, hand_over_to=None)
    assert (removal.projects, removal.handed_to) == (2, None)
    nobody: Rows = {table.name: set() for table in TABLES}
    hers = shared.anas_rows()
    for member in (shared.ben, shared.cleo):
        seen = seen_by(member, shared)
        # Their own share rows say what was shared with them; nothing of the project itself is readable.
        assert seen == {**nobody, "accounts": hers["accounts"], "project_shares": shared.shares_of(member)}

    later = shared.remove(shared.ana, hand_over_to=shared.ben)
    assert (later.projects, later.handed_to, later.already_removed) == (2, shared.ben.name, True)
    assert seen_by(shared.ben, shared)["extractions"] == hers["extractions"]
    assert seen_by(shared.cleo, shared)["extractions"] == shared.project_rows(shared.plans)["extractions"]


def _contents(shared: Shared) -> dict[str, dict[Any, str]]:
    hers = shared.anas_rows()
    with shared.lab.owner() as owner:
        return {table.name: {k: as_json(owner, table, k) for k in hers[table.name]} for table in TABLES}


def document_row(workspace_id: int, project_id: int, name: str, digest: str, size: int) -> dict[str, object]:
    """The columns of a ready text document, inserted by hand as a member would."""
    return {
        "workspace_id": workspace_id,
        "project_id": project_id,
        "file_name": name,
        "original_path": f"/corpus/{name}",
        "sha256": digest * 64,
        "size_bytes": size,
        "format": "TXT",
        "status": "READY",
        "warnings": "[]",
        "import_metadata": "{}",
        "chunk_count": 0,
        "created_at": NOW,
        "updated_at": NOW,
    }
