"""The results grid's service: the dataset of a project as units and windows of cells (the read model the
export streams from too), the evidence behind a value, and edits recorded as reviews (or, in blind mode,
as the researcher's own codings), several at once for a paste, each undoable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import Cell, UnitFilter, UnitKey, UnitQuery, UnitRow, ValueEvidence
from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.domain.errors import CoderAIError, InvalidInputError, NotFoundError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.page_images import render_page
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.accounts import AccountRepository
from coderai_desktop.persistence.repositories.dataset import DatasetRepository
from coderai_desktop.persistence.repositories.extractions import CodingRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.review.grid_edits import (
    BlindEntry,
    CellEdit,
    EditReport,
    add_codings,
    apply_edits,
    own_codings,
    undo_reviews,
)
from coderai_desktop.review.grid_evidence import evidence_of, page_source
from coderai_desktop.review.queue import QueueItem, review_queue
from coderai_desktop.review.records import read_records

# Runs a module-level function in a worker process and returns its result (the parser pool's run).
InProcess = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class GridInfo:
    project_id: int
    project: str
    per_entity: bool
    variables: list[VariableSpec]
    coder: str  # the login: blind codings are recorded under it


@dataclass(frozen=True)
class UnitList:
    """Units in the order asked for, with the cells of the first few read in the same transaction (what
    the grid paints first comes in one round trip)."""

    rows: list[UnitRow]
    total: int  # units with values, whatever the filter
    first: dict[UnitKey, dict[str, Cell]] = field(default_factory=dict)


class ResultsService:
    def __init__(self, database: Database, user: UserSession, in_process: InProcess | None = None):
        self._database = database
        self._user = user
        self._in_process = in_process  # runs PyMuPDF away from the GUI process (the parser pool's)
        self._queues: dict[tuple[int, str | None], list[QueueItem]] = {}

    @property
    def _workspace(self) -> int:
        return self._user.workspace_id

    # --- reading -----------------------------------------------------------------------------------------

    async def open(self, project: ProjectRef) -> GridInfo:
        def read(session: Session) -> GridInfo:
            row = ProjectRepository(session, self._workspace).resolve(project)
            specs = [spec_of(v) for v in VariableRepository(session, self._workspace).of_project(row.id)]
            per_entity = row.unit_of_observation is UnitOfObservation.ENTITY
            return GridInfo(row.id, row.name, per_entity, specs, self._user.login)

        return await self._database.run(read)

    async def units(
        self, project_id: int, query: UnitQuery, *, window: int = 0, coder: str | None = None
    ) -> UnitList:
        """The units `query` asks for, and the cells of the first `window` of them. `coder` (a login): the
        cells (and the filter and sort) show that coder's reviews alone, as if nobody else had reviewed;
        None: the reviews in force, whoever made them."""

        def read(session: Session) -> UnitList:
            dataset = self._dataset(session, coder)
            rows = dataset.units(project_id, query)
            unfiltered = query.filter is UnitFilter.ALL and not query.search.strip()
            total = len(rows) if unfiltered else len(dataset.units(project_id))
            first = dataset.cells(project_id, [row.key for row in rows[:window]]) if window else {}
            return UnitList(rows, total, first)

        return await self._database.run(read)

    async def cells(
        self, project_id: int, keys: Sequence[UnitKey], *, coder: str | None = None
    ) -> dict[UnitKey, dict[str, Cell]]:
        """The cells of these units; `coder` as for `units`."""
        return await self._database.run(lambda s: self._dataset(s, coder).cells(project_id, keys))

    async def evidence(self, extraction_id: int) -> ValueEvidence:
        return await self._database.run(lambda s: evidence_of(s, self._workspace, extraction_id))

    async def page_image(self, extraction_id: int, zoom: float = 1.5) -> bytes:
        """The value's page of its PDF as a PNG, with the passage highlighted (rendered in another process:
        PyMuPDF holds the GIL)."""
        evidence, path = await self._database.run(lambda s: page_source(s, self._workspace, extraction_id))
        if path is None or evidence.page is None or self._in_process is None:
            raise InvalidInputError(
                "This value's page cannot be shown: only PDFs with a text layer have pages."
            )
        # The passage as the document itself has it highlights better than the model's quote.
        quote = evidence.text[evidence.char_start : evidence.char_end] if evidence.located else evidence.quote
        try:
            return await self._in_process(render_page, path, evidence.page, quote, zoom)
        except CoderAIError:
            raise
        except Exception as error:  # the pool's own failures (a timeout, a crash) say what happened
            raise CoderAIError(f"The page could not be shown: {error}") from error

    async def next_to_review(
        self, project_id: int, *, variable: str | None = None, skip: Sequence[int] = ()
    ) -> QueueItem | None:
        """The riskiest value nobody has reviewed (the review queue's order), leaving out `skip` (values
        reviewed since the queue was read: it is read once per project and variable, then walked)."""
        key = (project_id, variable)
        if key not in self._queues:
            self._queues[key] = await self._database.run(
                lambda s: review_queue(
                    read_records(s, self._workspace, project_id, viewer=self._user.login), variable=variable
                )
            )
        skipped = set(skip)
        return next((item for item in self._queues[key] if item.extraction_id not in skipped), None)

    # --- reviews -----------------------------------------------------------------------------------------

    async def apply(self, edits: Sequence[CellEdit]) -> EditReport:
        """Every edit checked on its own; the good ones written in one transaction, the bad ones reported.
        An edit whose `seen_review` is not the value's newest review any more (someone reviewed it since) is
        one of the bad ones: its message says who and when, and its cells come back as they are now."""
        return await self._database.run(lambda s: apply_edits(s, self._user, edits))

    async def undo(
        self, extraction_ids: Sequence[int], *, seen_reviews: Mapping[int, int] | None = None
    ) -> dict[UnitKey, dict[str, Cell]]:
        """Undo the latest review of each value, in one transaction; the cells of their units now.
        `seen_reviews` (extraction id -> the cell's review_id when the undo was asked for): if someone
        reviewed one of them since, ConcurrentEditError and nothing is undone. None: no check."""
        return await self._database.run(lambda s: undo_reviews(s, self._user, extraction_ids, seen_reviews))

    def _dataset(self, session: Session, coder: str | None) -> DatasetRepository:
        if coder is None:
            return DatasetRepository(session, self._workspace)
        account = AccountRepository(session).by_login(coder)
        if account is None:
            raise NotFoundError(f"Nobody logs in as {coder!r}: choose a coder from the list.")
        return DatasetRepository(session, self._workspace, reviewer=account.id)

    # --- blind coding ------------------------------------------------------------------------------------

    async def codings(self, project_id: int, keys: Sequence[UnitKey]) -> dict[UnitKey, dict[str, Any]]:
        """The researcher's own latest codings of these units, by variable name."""
        return await self._database.run(lambda s: own_codings(s, self._user, project_id, keys))

    async def code(self, project_id: int, entries: Sequence[BlindEntry]) -> EditReport:
        return await self._database.run(lambda s: add_codings(s, self._user, project_id, entries))

    async def uncode(self, coding_ids: Sequence[int]) -> None:
        def delete(session: Session) -> None:
            codings = CodingRepository(session, self._workspace)
            for coding_id in coding_ids:
                codings.delete(coding_id)

        await self._database.run(delete)
