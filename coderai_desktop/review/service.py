"""The review service of one workspace: review a value (correct, incorrect, partly correct), clear or undo
a review, read its history and the review queue, measure agreement and calibration, set the project's
reliability targets and apply suggested thresholds; corrections and blind coding sheets."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.agreement import AgreementReport
from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.enums import DATASET_JOB_TYPES, FeedbackType, JobType, UnitOfObservation
from coderai_desktop.domain.errors import InvalidInputError, NotFoundError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.quality import QualityReport
from coderai_desktop.domain.review_history import ReviewEvent, ReviewState
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.codebooks import CodebookVersionRepository
from coderai_desktop.persistence.repositories.extractions import (
    CodingRepository,
    ExtractionRepository,
    ReviewRepository,
)
from coderai_desktop.persistence.repositories.projects import ProjectRepository, context_of
from coderai_desktop.persistence.repositories.prompts import PromptRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.persistence.tables import Account, Document, Extraction
from coderai_desktop.review import actions, blind, corrections
from coderai_desktop.review import blind_rounds as rounds
from coderai_desktop.review.actions import UNSET
from coderai_desktop.review.agreement import measure_agreement
from coderai_desktop.review.blind_rounds import BlindRound, BlindRoundStatus
from coderai_desktop.review.quality import ActivePrompt, quality_report
from coderai_desktop.review.queue import QueueItem, review_queue
from coderai_desktop.review.records import ProjectRecords, read_records
from coderai_desktop.review.sheet_import import ImportReport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Targets:
    level: float  # the reliability (alpha) a variable needs before the full corpus
    accuracy: float  # what values accepted without review must keep
    refine_after_errors: int  # corrections of a variable that make refining its prompt worth it


@dataclass(frozen=True)
class Coder:
    """Someone who reviewed values or coded units blind in a project (what the coder filter offers)."""

    login: str
    reviews: int  # values their latest review says are right, wrong or partly right
    codings: int  # unit x variable codings (blind), as far as the reader may see them


@dataclass(frozen=True)
class ReviewedValue:
    extraction_id: int
    variable: str
    ai_value: Any
    state: ReviewState
    changed: bool  # False: the value already had this review, and nothing was written


class ReviewService:
    def __init__(self, database: Database, user: UserSession):
        self._database = database
        self._user = user

    # --- one value ------------------------------------------------------------------------------------

    async def find_value(
        self, project: ProjectRef, document: str | int, variable: str, entity: int | None = None
    ) -> int:
        """The current value (the one the dataset holds) of a document (id or file name), or of one of its
        entities, for a variable."""
        return await self._database.run(lambda s: self._find(s, project, document, variable, entity))

    async def review(
        self,
        extraction_id: int,
        feedback: FeedbackType,
        corrected_value: Any = UNSET,
        note: str | None = None,
        *,
        seen_review: int | None = None,
    ) -> ReviewedValue:
        """`seen_review`: the id of the value's newest review row when the reviewer saw it (Cell.review_id;
        NO_REVIEW when it had none): if someone reviewed the value since, ConcurrentEditError and nothing
        is stored. None: no check."""

        def write(session: Session) -> ReviewedValue:
            extraction, spec = actions.value_and_spec(session, self._user, extraction_id)
            state = actions.checked_state(spec, extraction.value, feedback, corrected_value, note)
            changed = actions.record(session, self._user, extraction_id, state, seen_review)
            return ReviewedValue(extraction_id, spec.name, extraction.value, state, changed)

        reviewed = await self._database.run(write)
        logger.info("Value %s reviewed as %s", extraction_id, feedback.lower())
        return reviewed

    async def clear(
        self, extraction_id: int, note: str | None = None, *, seen_review: int | None = None
    ) -> ReviewedValue:
        """Back to "not reviewed" (a new row: the history keeps the review that was cleared);
        `seen_review` as for `review`."""

        def write(session: Session) -> ReviewedValue:
            extraction, spec = actions.value_and_spec(session, self._user, extraction_id)
            state = ReviewState(None, None, (note or "").strip() or None)
            changed = actions.record(session, self._user, extraction_id, state, seen_review)
            return ReviewedValue(extraction_id, spec.name, extraction.value, state, changed)

        return await self._database.run(write)

    async def undo(self, extraction_id: int, *, seen_review: int | None = None) -> ReviewedValue:
        """Undo the latest review action in force: the state before it comes back (or "not reviewed");
        `seen_review` as for `review`."""

        def write(session: Session) -> ReviewedValue:
            extraction, spec = actions.value_and_spec(session, self._user, extraction_id)
            state = actions.undo(session, self._user, extraction_id, seen_review)
            return ReviewedValue(extraction_id, spec.name, extraction.value, state, True)

        return await self._database.run(write)

    async def history(self, extraction_id: int) -> list[ReviewEvent]:
        def read(session: Session) -> list[ReviewEvent]:
            actions.value_and_spec(session, self._user, extraction_id)  # another workspace's: not found
            rows = ReviewRepository(session, self._user.workspace_id).history(extraction_id)
            logins = _logins(session, {row.account_id for row in rows if row.account_id is not None})
            return [
                ReviewEvent(
                    row.id, ReviewState.of(row), logins.get(row.account_id), row.created_at, row.undoes_id
                )
                for row in rows
            ]

        return await self._database.run(read)

    # --- a project --------------------------------------------------------------------------------------

    async def queue(self, project: ProjectRef, *, variable: str | None = None) -> list[QueueItem]:
        def read(session: Session) -> list[QueueItem]:
            records = self._records(session, project)
            self._known_variable(records.variables, variable)
            return review_queue(records, variable=variable)

        return await self._database.run(read)

    async def agreement(
        self,
        project: ProjectRef,
        *,
        level: float | None = None,
        variable: str | None = None,
        bootstrap: int = 1000,
        coder: str | None = None,
    ) -> AgreementReport:
        """Read in one transaction, then computed on a worker thread: neither the database thread nor a
        window's event loop waits for the statistics. `coder` (a login): that coder's reviews and blind
        codings only; None: everyone's."""
        _check_share(level, "The reliability level")
        records = await self._database.run(
            lambda s: self._records(s, project, compared_only=True, coder=coder)
        )
        self._known_variable(records.variables, variable)
        return await asyncio.to_thread(
            measure_agreement, records, level=level, variable=variable, bootstrap=bootstrap
        )

    def agreement_in(self, session: Session, project_id: int) -> AgreementReport:
        """The same, inside a transaction someone else holds (the export reads everything in one)."""
        return measure_agreement(self._records(session, project_id, compared_only=True))

    async def quality(
        self, project: ProjectRef, *, bootstrap: int = 1000, coder: str | None = None
    ) -> QualityReport:
        """The Quality page's report: per variable, agreement and verdict, reviews and corrections, the share
        sent to review, mean confidence, the active prompt version, the distribution of its values and the
        confusion of a category's values, and whether it has enough corrections to refine its prompt. Read
        in one transaction, then computed on a worker thread (like `agreement`). `coder` (a login): as if
        only that coder had reviewed and coded blind; None: everyone."""
        records, versions, refine_after = await self._database.run(
            lambda s: self._quality_inputs(s, project, coder)
        )
        return await asyncio.to_thread(_quality, records, versions, refine_after, bootstrap)

    async def coders(self, project: ProjectRef) -> list[Coder]:
        """Everyone who reviewed a value or coded a unit blind in the project, by login."""

        def read(session: Session) -> list[Coder]:
            workspace = self._user.workspace_id
            project_id = ProjectRepository(session, workspace).resolve(project).id
            reviews = ReviewRepository(session, workspace).reviewers(project_id)
            codings: dict[str, int] = {}
            for coding in CodingRepository(session, workspace).visible(project_id, self._user.login):
                codings[coding.coder] = codings.get(coding.coder, 0) + 1
            logins = sorted(set(reviews) | set(codings), key=str.casefold)
            return [Coder(login, reviews.get(login, 0), codings.get(login, 0)) for login in logins]

        return await self._database.run(read)

    def quality_in(self, session: Session, project_id: int) -> QualityReport:
        """The same, inside a transaction someone else holds (the export reads everything in one)."""
        return _quality(*self._quality_inputs(session, project_id), 1000)

    def _quality_inputs(
        self, session: Session, project: ProjectRef, coder: str | None = None
    ) -> tuple[ProjectRecords, dict[str, ActivePrompt], int]:
        """Every current value (distributions need them all, not only the compared ones), the active prompt
        version of each variable and the project's refinement threshold."""
        workspace = self._user.workspace_id
        records = self._records(session, project, coder=coder)
        row = ProjectRepository(session, workspace).resolve(records.project_id)
        return records, _prompt_versions(session, workspace, row.id), row.refine_after_errors

    async def set_targets(
        self,
        project: ProjectRef,
        *,
        level: float | None = None,
        accuracy: float | None = None,
        refine_after_errors: int | None = None,
    ) -> Targets:
        """The project's reliability level (alpha), target accuracy and the corrections of a variable that
        make refining its prompt worth it; returns all three as stored."""
        _check_share(level, "The reliability level")
        _check_share(accuracy, "The target accuracy")
        if refine_after_errors is not None and refine_after_errors < 1:
            raise InvalidInputError(
                f"Refinement needs at least 1 correction to learn from, not {refine_after_errors}."
            )

        def write(session: Session) -> Targets:
            row = ProjectRepository(session, self._user.workspace_id).resolve(project)
            if level is not None:
                row.reliability_level = level
            if accuracy is not None:
                row.target_accuracy = accuracy
            if refine_after_errors is not None:
                row.refine_after_errors = refine_after_errors
            return Targets(row.reliability_level, row.target_accuracy, row.refine_after_errors)

        return await self._database.run(write)

    async def apply_thresholds(self, project: ProjectRef, thresholds: dict[str, float]) -> dict[str, float]:
        """Set variables' confidence thresholds (e.g. the calibration's suggestions); returns the changes."""
        for value in thresholds.values():
            _check_share(value, "A confidence threshold")

        def write(session: Session) -> dict[str, float]:
            project_row = ProjectRepository(session, self._user.workspace_id).resolve(project)
            variables = VariableRepository(session, self._user.workspace_id)
            rows = {row.name: row for row in variables.of_project(project_row.id)}
            unknown = sorted(set(thresholds) - set(rows))
            if unknown:
                raise InvalidInputError(f"The codebook has no variable named {', '.join(unknown)}.")
            changed = {}
            for name, threshold in thresholds.items():
                if rows[name].confidence_threshold != threshold:
                    variables.edit(rows[name], {"confidence_threshold": threshold})  # a new version
                    changed[name] = threshold
            if changed:
                codebook = Codebook(
                    project=context_of(project_row), variables=[spec_of(row) for row in rows.values()]
                )
                CodebookVersionRepository(session, self._user.workspace_id).record(
                    project_row.id, codebook, "confidence thresholds from calibration", self._user.account_id
                )
            return changed

        return await self._database.run(write)

    # --- sheets ------------------------------------------------------------------------------------------

    async def export_corrections(self, project: ProjectRef, path: Path, *, sample_only: bool = True) -> int:
        """The values (of the sample runs, or every current value) with their evidence and review, as a
        sheet to fill in; returns the rows written."""
        job_types = (JobType.SAMPLE,) if sample_only else DATASET_JOB_TYPES
        records = await self._database.run(
            lambda s: self._records(s, project, job_types=job_types, second_opinions=False)
        )
        return corrections.write(path, records)

    async def import_corrections(
        self, project: ProjectRef, path: Path, *, all_or_nothing: bool = False
    ) -> ImportReport:
        return await self._database.run(
            lambda s: corrections.read(s, self._user, project, path, all_or_nothing=all_or_nothing)
        )

    async def export_blind_sheet(
        self, project: ProjectRef, path: Path, *, sample: int | None = None, seed: int | None = None
    ) -> int:
        """A blind coding sheet of `sample` documents (all if None); without `sample`, of the sample of the
        blind round the researcher is coding, if any (`open_blind_round`). Returns the rows written."""

        def write(session: Session) -> int:
            mine = rounds.open_round(session, self._user, project) if sample is None else None
            documents = None if mine is None else mine.document_ids
            return blind.write(
                session, self._user, project, path, sample=sample, seed=seed, documents=documents
            )

        return await self._database.run(write)

    async def import_blind_sheet(
        self, project: ProjectRef, path: Path, *, coder: str | None = None, all_or_nothing: bool = False
    ) -> ImportReport:
        return await self._database.run(
            lambda s: blind.read(s, self._user, project, path, coder=coder, all_or_nothing=all_or_nothing)
        )

    # --- blind rounds ----------------------------------------------------------------------------------

    async def start_blind_round(
        self, project: ProjectRef, coders: list[str], sample: int | None, seed: int | None = None
    ) -> BlindRound:
        """Blind double coding by `coders` (logins of the project's owner and its editors) of `sample`
        coded documents drawn as a blind sheet draws them (all if None). Until every coder is done, each
        sees only their own codings of these documents."""
        found = await self._database.run(
            lambda s: rounds.start(s, self._user, project, coders, sample=sample, seed=seed)
        )
        logger.info(
            "Blind round %s started: %s documents, coders %s", found.id, len(found.document_ids), coders
        )
        return found

    async def blind_rounds(self, project: ProjectRef, *, bootstrap: int = 1000) -> list[BlindRoundStatus]:
        """Every blind round of the project, newest first: its coders, who is done, and once all are, the
        agreement between them (and of each with the AI) on the round's units."""

        def read(session: Session) -> tuple[list[BlindRoundStatus], ProjectRecords | None]:
            found = rounds.statuses(session, self._user, project)
            complete = any(status.complete for status in found)
            return found, self._records(session, project, compared_only=True) if complete else None

        found, records = await self._database.run(read)
        statuses = []
        for status in found:
            if status.complete and records is not None:
                agreement = await asyncio.to_thread(
                    rounds.round_agreement, records, status.round, bootstrap=bootstrap
                )
                status = replace(status, agreement=agreement)
            statuses.append(status)
        return statuses

    async def mark_done(self, round_id: int) -> BlindRoundStatus:
        """Say that the session's coder is done with the round; the round's status now."""
        project_id = await self._database.run(lambda s: rounds.mark_done(s, self._user, round_id))
        logger.info("%s is done with blind round %s", self._user.login, round_id)
        return next(status for status in await self.blind_rounds(project_id) if status.round.id == round_id)

    async def open_blind_round(self, project: ProjectRef) -> BlindRound | None:
        """The newest round of the project the researcher codes and is not done with (its sample is what
        their blind sheet holds), or None."""
        return await self._database.run(lambda s: rounds.open_round(s, self._user, project))

    # --- helpers ---------------------------------------------------------------------------------------

    def _records(self, session: Session, project: ProjectRef, **options: Any) -> ProjectRecords:
        """The project's records as this researcher may see them (the blind rounds' rule)."""
        return read_records(session, self._user.workspace_id, project, viewer=self._user.login, **options)

    def _find(
        self, session: Session, project: ProjectRef, document: str | int, variable: str, entity: int | None
    ) -> int:
        workspace = self._user.workspace_id
        row = ProjectRepository(session, workspace).resolve(project)
        variables = {v.name: v.id for v in VariableRepository(session, workspace).of_project(row.id)}
        if variable not in variables:
            raise NotFoundError(f"The codebook of {row.name} has no variable named {variable!r}.")
        query = (
            ExtractionRepository(session, workspace)
            .latest_values(
                row.id,
                Extraction.id,
                Extraction.entity_index,
                Extraction.entity_text,
                Document.id,
                Document.file_name,
            )
            .where(Extraction.variable_id == variables[variable])
        )
        text = str(document).strip()
        by_id = text.lstrip("#").isdigit()
        matches = [
            found
            for found in session.execute(query)
            if (by_id and found[3] == int(text.lstrip("#"))) or (not by_id and found.file_name == text)
        ]
        if not matches:
            raise NotFoundError(
                f"No coded value of {variable} for document {text!r}: check the document id or file name "
                "(`coderai documents PROJECT`), and that a run has coded it."
            )
        if len({found[3] for found in matches}) > 1:
            ids = ", ".join(str(found[3]) for found in matches)
            raise InvalidInputError(f"Several documents are named {text!r} (ids {ids}): give the id instead.")
        if row.unit_of_observation is UnitOfObservation.ENTITY:
            chosen = [found for found in matches if found.entity_index == entity]
            if entity is None or not chosen:
                listed = "; ".join(f"{found.entity_index}: {found.entity_text}" for found in matches)
                raise InvalidInputError(f"Say which entity with --entity N ({listed}).")
            return int(chosen[0].id)
        return int(matches[0].id)

    @staticmethod
    def _known_variable(variables: list[Any], name: str | None) -> None:
        if name is not None and name not in {variable.name for variable in variables}:
            raise NotFoundError(f"The codebook has no variable named {name!r}.")


def _quality(
    records: ProjectRecords, versions: dict[str, ActivePrompt], refine_after_errors: int, bootstrap: int
) -> QualityReport:
    agreement = measure_agreement(records, bootstrap=bootstrap)
    return quality_report(records, agreement, versions, refine_after_errors)


def _prompt_versions(session: Session, workspace_id: int, project_id: int) -> dict[str, ActivePrompt]:
    """Each variable's active prompt version, e.g. "grouped:1 v3" (the newest, should two active prompts
    name it, e.g. after the extraction mode changed)."""
    versions: dict[str, ActivePrompt] = {}
    for prompt in PromptRepository(session, workspace_id).all_active(project_id):
        for name in prompt.variable_names:
            versions[name] = ActivePrompt(prompt.id, f"{prompt.scope_key} v{prompt.version}")
    return versions


def _logins(session: Session, account_ids: set[int]) -> dict[int | None, str]:
    if not account_ids:
        return {}
    rows = session.execute(sa.select(Account.id, Account.login).where(Account.id.in_(account_ids)))
    return {row.id: row.login for row in rows}


def _check_share(value: float | None, what: str) -> None:
    if value is not None and not 0 <= value <= 1:
        raise InvalidInputError(f"{what} is a share between 0 and 1, e.g. 0.8; {value} is not.")
