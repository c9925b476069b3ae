"""Blind double coding across members: a round draws a sample of coded documents (as a blind sheet draws
it) for named coders, each codes it blind (the blind sheet, or the grid's blind mode) and says when they
are done. Until every coder is done, each sees only their own codings of the round's documents (the rule
is CodingRepository.visible, which every read of codings for agreement and quality goes through; a lab
database's policies hold members to it in SQL too); then
the agreement between the coders, and of each with the AI, is measured on the round's units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.agreement import AgreementReport
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.persistence.repositories.blind_rounds import BlindRoundRepository
from coderai_desktop.persistence.repositories.extractions import CodingRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.tables import BlindRound as RoundRow
from coderai_desktop.persistence.tables import HumanCoding
from coderai_desktop.review.agreement import measure_agreement
from coderai_desktop.review.blind import draw
from coderai_desktop.review.records import AI, REVIEW, ProjectRecords, read_records


@dataclass(frozen=True)
class BlindRound:
    id: int
    project_id: int
    document_ids: tuple[int, ...]  # the sample, in the order drawn
    coders: tuple[str, ...]  # logins
    created_at: datetime


@dataclass(frozen=True)
class RoundCoder:
    login: str
    done_at: datetime | None  # when they said they were done (None: still coding)
    coded_units: int  # units of the round they have coded at least one variable of


@dataclass(frozen=True)
class BlindRoundStatus:
    round: BlindRound
    coders: tuple[RoundCoder, ...]
    # Once every coder is done: agreement between the coders, and of each with the AI, on the round's units.
    agreement: AgreementReport | None = None

    @property
    def complete(self) -> bool:
        return all(coder.done_at is not None for coder in self.coders)

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return tuple(coder.login for coder in self.coders if coder.done_at is None)


def start(
    session: Session,
    user: UserSession,
    project: ProjectRef,
    coders: Sequence[str],
    *,
    sample: int | None,
    seed: int | None,
) -> BlindRound:
    """A round of `sample` coded documents (all of them if None) for `coders`: logins of people who may
    code the project (its owner, members it is shared with as editors)."""
    project_row = ProjectRepository(session, user.workspace_id).resolve(project)
    rounds = BlindRoundRepository(session, user.workspace_id)
    named = list(dict.fromkeys(login.strip() for login in coders if login.strip()))
    if len(named) < 2:
        raise InvalidInputError("A blind round needs at least two coders: name them, e.g. --coders ana,ben.")
    if reserved := [login for login in named if login in (AI, REVIEW)]:
        raise InvalidInputError(
            f"{reserved[0]!r} names the model or the review in agreement tables: it cannot be a coder."
        )
    allowed = rounds.possible_coders(project_row.id)
    by_key = {login.casefold(): login for login in allowed}
    unknown = [login for login in named if login.casefold() not in by_key]
    if unknown:
        raise InvalidInputError(
            f"{', '.join(unknown)} cannot code {project_row.name}: a coder is its owner or a member it is "
            f"shared with as an editor ({', '.join(sorted(allowed))} now). Share the project with them "
            "as editors first."
        )
    chosen = {by_key[login.casefold()]: allowed[by_key[login.casefold()]] for login in named}
    records = read_records(
        session, user.workspace_id, project_row.id, second_opinions=False, viewer=user.login
    )
    row = rounds.start(project_row.id, draw(records, sample, seed), chosen, user.account_id)
    return _round(row, list(chosen))


def statuses(session: Session, user: UserSession, project: ProjectRef) -> list[BlindRoundStatus]:
    """Every round of the project, newest first, with its coders: who is done, and how far each has got
    (a count of units, never what they coded). Without agreement: the service measures it off this
    transaction."""
    project_id = ProjectRepository(session, user.workspace_id).resolve(project).id
    rounds = BlindRoundRepository(session, user.workspace_id)
    rows = sorted(rounds.of_project(project_id), key=lambda row: row.id, reverse=True)
    coders = rounds.coders([row.id for row in rows])
    progress = rounds.lab_progress(rows)
    if progress is None:
        progress = _progress(rows, CodingRepository(session, user.workspace_id).latest(project_id))
    return [
        BlindRoundStatus(
            _round(row, [coder.coder for coder in coders[row.id]]),
            tuple(RoundCoder(c.coder, c.done_at, progress.get((row.id, c.coder), 0)) for c in coders[row.id]),
        )
        for row in rows
    ]


def _progress(rounds: list[RoundRow], codings: list[HumanCoding]) -> dict[tuple[int, str], int]:
    """(round id, coder) -> the round's units the coder has coded at least one variable of."""
    units: dict[tuple[int, str], set[tuple[int, int | None]]] = {}
    for row in rounds:
        documents = set(row.document_ids)
        for coding in codings:
            if coding.document_id in documents:
                units.setdefault((row.id, coding.coder), set()).add((coding.document_id, coding.entity_index))
    return {key: len(found) for key, found in units.items()}


def mark_done(session: Session, user: UserSession, round_id: int) -> int:
    """Record that the session's coder is done with the round; returns its project's id."""
    rounds = BlindRoundRepository(session, user.workspace_id)
    row = rounds.require(round_id)
    if not rounds.mark_done(round_id, user.account_id):
        names = ", ".join(coder.coder for coder in rounds.coders([round_id])[round_id])
        raise InvalidInputError(f"You are not a coder of blind round {round_id}: its coders are {names}.")
    return row.project_id


def open_round(session: Session, user: UserSession, project: ProjectRef) -> BlindRound | None:
    """The newest round of the project that the session's coder codes and has not said they are done with:
    its sample is what their blind sheet holds."""
    for status in statuses(session, user, project):
        if user.login in status.waiting_for:
            return status.round
    return None


def round_agreement(records: ProjectRecords, found: BlindRound, *, bootstrap: int) -> AgreementReport:
    """Agreement on the round's units alone: between its coders, and of each with the AI (reviews and
    other coders left out). `records` must be read by someone who sees the round's codings (it is
    complete, or the reader is its only coder)."""
    documents = set(found.document_ids)
    coders = {
        coder: {
            name: {unit: value for unit, value in values.items() if unit[0] in documents}
            for name, values in records.codings.get(coder, {}).items()
        }
        for coder in found.coders
    }
    values = {
        name: {unit: value for unit, value in units.items() if unit[0] in documents}
        for name, units in records.values.items()
    }
    return measure_agreement(
        replace(records, values=values, reviews={}, codings=coders, second={}), bootstrap=bootstrap
    )


def _round(row: RoundRow, coders: list[str]) -> BlindRound:
    return BlindRound(row.id, row.project_id, tuple(row.document_ids), tuple(coders), row.created_at)
