"""Blind rounds in a lab: the database itself keeps each coder's codings of an open round from the other
members (a SQL client shows no more than the app), tells everyone how far each coder has got, and opens the
codings once every coder is done."""

from __future__ import annotations

from pathlib import Path

import pytest
from psycopg.types.json import Json

from coderai_desktop.auth.lab_login import member_session
from coderai_desktop.auth.session import UserSession
from tests.integration.lab.conftest import (
    NOW,
    LabWithMembers,
    Member,
    blind_round,
    fill_project_as,
    insert,
    open_as,
    share,
)

pytestmark = pytest.mark.postgres


def coders_seen(member: Member, project: int) -> list[str]:
    with member.connect() as connection:
        rows = connection.execute(
            "SELECT coder FROM human_codings WHERE project_id = %s ORDER BY coder", (project,)
        )
        return [row[0] for row in rows]


def progress(member: Member, round_id: int) -> dict[str, int]:
    with member.connect() as connection:
        rows = connection.execute(
            "SELECT coder, units FROM coderai_lab_round_progress(ARRAY[%s])", (round_id,)
        )
        return {coder: units for coder, units in rows}


def done(member: Member, round_id: int) -> None:
    with member.connect() as connection:
        connection.execute(
            "UPDATE blind_round_coders SET done_at = now() WHERE round_id = %s AND account_id = %s",
            (round_id, member.account_id),
        )


async def test_codings_of_an_open_round_are_sealed_by_the_database(
    members: LabWithMembers, tmp_path: Path
) -> None:
    ana, ben = members.ana, members.ben
    cleo, dan = members.lab.add_member("cleo"), members.lab.add_member("dan")
    project = await fill_project_as(ana, tmp_path, "Climate plans", share_with=[cleo])
    with ana.connect() as connection:
        [(document, variable)] = connection.execute(
            "SELECT document_id, variable_id FROM human_codings WHERE project_id = %s", (project,)
        ).fetchall()
        owner = UserSession(ana.account_id, ana.name, ana.workspace_id)
        share(connection, owner, project, ben, "EDITOR")
        coders = {coder.account_id: coder.name for coder in (ana, ben)}
        round_id = blind_round(connection, owner, project, [document], coders, done=False)
    with ben.connect() as connection:  # ben codes the document too, in ana's project
        insert(
            connection,
            "human_codings",
            workspace_id=ana.workspace_id,
            account_id=ben.account_id,
            project_id=project,
            document_id=document,
            variable_id=variable,
            coder=ben.name,
            value=Json("Bergen"),
            created_at=NOW,
        )

    # While the round is open each coder reads only their own; a viewer neither; the counts are everyone's.
    assert coders_seen(ana, project) == [ana.name]
    assert coders_seen(ben, project) == [ben.name]
    assert coders_seen(cleo, project) == []
    everyones = {ana.name: 1, ben.name: 1}
    assert progress(ben, round_id) == progress(cleo, round_id) == everyones
    assert progress(dan, round_id) == {}, "the round of a project not shared with dan tells dan nothing"
    context = open_as(ben, tmp_path)
    try:
        sharing = context.sharing(await member_session(context.database))
        session = sharing.session_for(await sharing.find(ana.name, "Climate plans"))
        [status] = [s for s in await context.reviews(session).blind_rounds(project) if s.round.id == round_id]
    finally:
        context.close()
    assert {coder.login: coder.coded_units for coder in status.coders} == everyones
    assert not status.complete

    done(ana, round_id)
    assert coders_seen(ben, project) == [ben.name], "sealed until every coder is done"
    done(ben, round_id)
    assert coders_seen(ben, project) == coders_seen(cleo, project) == sorted([ana.name, ben.name])
