"""Blind double coding across members: a round's sample drawn as a blind sheet draws it, each coder's
sheet holds it, codings stay sealed (each coder sees only their own, an owner who does not code sees none)
until every coder is done, then agreement between the coders and with the AI; on a SQLite file and on
PostgreSQL, and through `coderai code --blind-round`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.agreement import AgreementReport, ComparisonKind
from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.persistence.tables import Account, ProjectShare
from coderai_desktop.review.service import ReviewService
from tests.conftest import PASSWORD
from tests.integration.conftest import Cli
from tests.integration.review.conftest import Sampled
from tests.integration.review.test_sheets_round_trip import read_rows, write_rows
from tests.integration.runs.conftest import PROJECT, Corpus, MakeCorpus, coderai, on_each_backend

__all__ = ["coderai"]


async def member(
    context: AppContext, owner: UserSession, project: int, login: str, access: ShareAccess | None
) -> UserSession:
    """An account `login` with the project shared with it (`access`; None: not shared), and its session
    in the project's workspace (as the sharing service opens a shared project)."""
    own = await context.accounts.create_account(login, PASSWORD)
    if access is not None:
        share(context, owner, project, own.account_id, access)
    return UserSession(own.account_id, own.login, owner.workspace_id)


def share(
    context: AppContext, owner: UserSession, project: int, account_id: int, access: ShareAccess
) -> None:
    with context.database.transaction() as session:
        session.add(
            ProjectShare(
                workspace_id=owner.workspace_id,
                project_id=project,
                account_id=account_id,
                access=access,
                granted_by_account_id=owner.account_id,
            )
        )


async def code_my_sheet(
    reviews: ReviewService, corpus: Corpus, path: Path, wrong_sector: tuple[str, ...] = ()
) -> list[str]:
    """Export the coder's blind sheet, fill it in from the plans (the sector wrong for `wrong_sector`),
    import it; returns the documents of the sheet."""
    await reviews.export_blind_sheet(corpus.project_id, path)
    rows = read_rows(path)
    for row in rows:
        plan = corpus.plans[row["document"]]
        wrong = "housing" if plan.sector != "housing" else "energy"
        row.update(
            sector=wrong if row["document"] in wrong_sector else plan.sector,
            budget=str(plan.budget),
            binding="yes" if plan.binding else "no",
        )
    write_rows(path, rows)
    report = await reviews.import_blind_sheet(corpus.project_id, path)
    assert report.problems == () and report.applied == len(rows)
    return sorted(row["document"] for row in rows)


def labels(report: AgreementReport, variable: str = "sector") -> dict[str, Any]:
    found = report.get(variable)
    return {} if found is None else {c.label: c for c in found.comparisons}


@on_each_backend
async def test_each_coder_sees_only_their_own_codings_until_both_are_done(
    context: AppContext, user: UserSession, reviews: ReviewService, sampled: Sampled, tmp_path: Path
) -> None:
    corpus, project = sampled.corpus, sampled.corpus.project_id
    ben = context.reviews(await member(context, user, project, "ben", ShareAccess.EDITOR))
    await member(context, user, project, "vera", ShareAccess.VIEWER)
    await member(context, user, project, "carl", None)
    for outsider in ("vera", "carl"):
        with pytest.raises(InvalidInputError, match=f"{outsider} cannot code {PROJECT}"):
            await reviews.start_blind_round(project, ["ana", outsider], sample=5, seed=2)
    with pytest.raises(InvalidInputError, match="at least two coders"):
        await reviews.start_blind_round(project, ["ana"], sample=5, seed=2)

    started = await reviews.start_blind_round(project, ["ana", "Ben"], sample=5, seed=2)
    assert started.coders == ("ana", "ben")
    free_sheet = tmp_path / "free.csv"  # the same draw as a blind sheet's of the same size and seed
    await reviews.export_blind_sheet(project, free_sheet, sample=5, seed=2)
    drawn = sorted(row["document"] for row in read_rows(free_sheet))
    assert sorted(corpus.name_of(i) for i in started.document_ids) == drawn

    assert await code_my_sheet(reviews, corpus, tmp_path / "ana.csv", (drawn[0],)) == drawn
    assert await code_my_sheet(ben, corpus, tmp_path / "ben.csv", (drawn[0], drawn[1])) == drawn

    # Sealed: each sees their own codings only, in agreement, quality and the coder list.
    assert set(labels(await reviews.agreement(project))) == {"AI vs ana"}
    assert set(labels(await ben.agreement(project))) == {"AI vs ben"}
    assert set(labels((await ben.quality(project)).agreement)) == {"AI vs ben"}
    assert [coder.login for coder in await ben.coders(project)] == ["ben"]
    [status] = await ben.blind_rounds(project)
    assert (status.complete, status.agreement, status.waiting_for) == (False, None, ("ana", "ben"))
    assert [(c.login, c.coded_units) for c in status.coders] == [("ana", 5), ("ben", 5)]

    with pytest.raises(InvalidInputError, match=f"not a coder of blind round {started.id}"):
        await context.reviews(await member(context, user, project, "dora", ShareAccess.EDITOR)).mark_done(
            started.id
        )
    done = await reviews.mark_done(started.id)
    assert (done.complete, done.waiting_for) == (False, ("ben",))
    assert set(labels(await reviews.agreement(project))) == {"AI vs ana"}  # still sealed for ana
    assert await reviews.open_blind_round(project) is None  # her sheet is no longer the round's

    complete = await ben.mark_done(started.id)
    assert complete.complete and complete.agreement is not None
    by_label = labels(complete.agreement)
    assert set(by_label) == {"AI vs ana", "AI vs ben", "ana vs ben"}
    assert (by_label["AI vs ana"].n, by_label["AI vs ana"].percent) == (5, 0.8)
    assert (by_label["AI vs ben"].n, by_label["AI vs ben"].percent) == (5, 0.6)
    humans = by_label["ana vs ben"]
    assert (humans.kind, humans.n, humans.percent) == (ComparisonKind.HUMANS, 5, 0.8)
    assert labels(complete.agreement, "budget")["ana vs ben"].percent == 1.0
    # Once complete, the project's agreement shows both coders to each.
    assert set(labels(await reviews.agreement(project))) == {"AI vs ana", "AI vs ben", "ana vs ben"}


@on_each_backend
async def test_an_owner_who_does_not_code_the_round_sees_none_of_it_until_it_is_complete(
    context: AppContext, user: UserSession, reviews: ReviewService, sampled: Sampled, tmp_path: Path
) -> None:
    corpus, project = sampled.corpus, sampled.corpus.project_id
    ben = context.reviews(await member(context, user, project, "ben", ShareAccess.EDITOR))
    cleo = context.reviews(await member(context, user, project, "cleo", ShareAccess.EDITOR))
    outside = tmp_path / "ana-before.csv"  # ana's own blind coding of every document, outside the round
    await code_my_sheet(reviews, corpus, outside)
    started = await reviews.start_blind_round(project, ["ben", "cleo"], sample=4, seed=9)
    await code_my_sheet(ben, corpus, tmp_path / "ben.csv")
    await code_my_sheet(cleo, corpus, tmp_path / "cleo.csv")

    assert set(labels(await reviews.agreement(project))) == {"AI vs ana"}
    assert [coder.login for coder in await reviews.coders(project)] == ["ana"]
    await ben.mark_done(started.id)
    assert set(labels(await cleo.agreement(project))) == {"AI vs ana", "AI vs cleo", "ana vs cleo"}
    await cleo.mark_done(started.id)
    [status] = await reviews.blind_rounds(project)
    assert status.agreement is not None
    assert set(labels(status.agreement)) == {"AI vs ben", "AI vs cleo", "ben vs cleo"}  # not ana's
    assert labels(status.agreement)["ben vs cleo"].n == 4
    assert {c.login: c.codings for c in await reviews.coders(project)} == {
        "ana": 12 * 3,
        "ben": 4 * 3,
        "cleo": 4 * 3,
    }


@pytest.fixture
async def plans(make_corpus: MakeCorpus) -> Corpus:
    return await make_corpus(6)


def test_blind_round_commands(
    coderai: Cli, plans: Corpus, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    assert coderai("run", PROJECT, "--sample", "6").code == 0
    assert coderai("account", "create", "ben").code == 0
    with context.database.transaction() as session:
        ben = session.scalars(sa.select(Account.id).where(Account.login == "ben")).one()
    share(context, user, plans.project_id, ben, ShareAccess.EDITOR)
    assert coderai("code", PROJECT, "--blind-round", "status").out.startswith("No blind round yet")
    refused = coderai("code", PROJECT, "--blind-round", "start", "--sample", "3")
    assert refused.code == 1 and "--coders ana,ben" in refused.err
    started = coderai("code", PROJECT, "--blind-round", "start", "--coders", "ana,ben", "--sample", "3")
    assert started.code == 0, started.err
    assert started.out.startswith("Blind round 1: 3 documents for ana, ben.")

    sheet = tmp_path / "mine.csv"
    out = coderai("code", PROJECT, "--blind", "--out", sheet)
    assert out.out.startswith(f"Wrote 3 units of blind round 1 to {sheet}")
    rows = read_rows(sheet)
    for row in rows:
        row["sector"] = plans.plans[row["document"]].sector
    write_rows(sheet, rows)
    assert coderai("code", PROJECT, "--blind", "--import", sheet).code == 0
    done = coderai("code", PROJECT, "--blind-round", "done", "1")
    assert done.code == 0, done.err
    table = done.out.splitlines()
    assert table[0].split() == ["ROUND", "STARTED", "DOCUMENTS", "CODER", "UNITS", "CODED", "DONE"]
    assert table[1].split()[4:6] == ["ana", "3"] and table[2].split()[4:] == ["ben", "0", "coding"]
    assert "Blind round 1: waiting for ben." in done.out
    bad = coderai("code", PROJECT, "--blind-round", "done", "x")
    assert bad.code == 1 and "the round's number, not 'x'" in bad.err
    status = coderai("code", PROJECT, "--blind-round", "status")
    assert "Blind round 1: waiting for ben." in status.out and "COMPARISON" not in status.out
