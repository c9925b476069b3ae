"""What review and agreement read of a project, in one transaction: the codebook, the AI's current values
(those the dataset holds), the review that applies to each, the researchers' blind codings and the
second opinions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import entity_key
from coderai_desktop.domain.enums import (
    DATASET_JOB_TYPES,
    ExtractionStatus,
    FeedbackType,
    JobType,
    MatchStatus,
)
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.persistence.repositories.accounts import AccountRepository
from coderai_desktop.persistence.repositories.extractions import (
    CodingRepository,
    ExtractionRepository,
    ReviewRepository,
)
from coderai_desktop.persistence.repositories.jobs import JobRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.persistence.tables import Document, Extraction, ProcessingJob, Project

# The coders' names that agreement tables use for the model and for the review of its values.
AI, REVIEW = "AI", "review"
# A unit: a document (entity None) or one entity found in it.
UnitKey = tuple[int, int | None]
ByVariable = dict[str, dict[UnitKey, Any]]  # variable name -> unit -> a coder's value


class AIValue(NamedTuple):  # a tuple: a project holds 100,000 of them
    """The AI's current value of one unit x variable, with what routes its review."""

    extraction_id: int
    document_id: int
    document: str  # file name
    entity_index: int | None
    entity_text: str | None
    variable: str
    value: Any
    confidence: float | None
    status: ExtractionStatus
    match_status: MatchStatus | None
    quote: str | None
    page: int | None
    note: str | None  # why it is flagged, or what the pipeline did
    model: str | None
    prompt_id: int | None = None  # the prompt version that coded it

    @property
    def unit(self) -> UnitKey:
        return (self.document_id, self.entity_index)

    @property
    def failed(self) -> bool:
        """The model gave no usable answer: the AI did not code this unit (missing, not "no value")."""
        return self.status is ExtractionStatus.FAILED


@dataclass(frozen=True)
class Reviewed:
    feedback: FeedbackType
    corrected_value: Any
    note: str | None = None

    def human_value(self, ai_value: Any) -> Any:
        """What the researcher says the value is."""
        return ai_value if self.feedback is FeedbackType.CORRECT else self.corrected_value


@dataclass
class ProjectRecords:
    project_id: int
    reliability_level: float
    target_accuracy: float
    variables: list[VariableSpec]
    values: dict[str, dict[UnitKey, AIValue]]  # variable name -> unit -> the AI's current value
    reviews: dict[int, Reviewed]  # by extraction id: the reviews in force
    codings: dict[str, ByVariable]  # coder -> their latest blind codings
    second: dict[str, ByVariable] = field(default_factory=dict)  # "AI (model)" -> second opinions

    def spec(self, name: str) -> VariableSpec:
        return next(variable for variable in self.variables if variable.name == name)

    def all_values(self) -> Iterator[AIValue]:
        for values in self.values.values():
            yield from values.values()


def read_records(
    session: Session,
    workspace_id: int,
    ref: ProjectRef,
    *,
    job_types: tuple[JobType, ...] = DATASET_JOB_TYPES,
    second_opinions: bool = True,
    compared_only: bool = False,
    viewer: str | None = None,
    coder: str | None = None,
) -> ProjectRecords:
    """`compared_only`: for agreement, which needs the values only when something compares them (a review,
    a blind coding, a second opinion): an export of a project nobody reviewed does not read them twice.

    `viewer`: the login of whoever reads them, for the blind rounds' rule (CodingRepository.visible: a
    coder sees only their own codings of a round's documents until every coder of it is done); None: a run
    or a report for nobody in particular, which sees none of them. `coder` (a login): that coder's reviews
    (their latest of each value) and blind codings only; None: everyone's."""
    project = ProjectRepository(session, workspace_id).resolve(ref)
    rows = VariableRepository(session, workspace_id).of_project(project.id)
    names = {row.id: row.name for row in rows}
    reviews = {
        row.extraction_id: Reviewed(row.feedback_type, row.corrected_value, row.user_note)
        for row in _latest_reviews(session, workspace_id, project.id, coder)
    }
    codings: dict[str, ByVariable] = defaultdict(lambda: defaultdict(dict))
    for coding in CodingRepository(session, workspace_id).visible(project.id, viewer):
        if coding.variable_id in names and coder in (None, coding.coder):
            unit = (coding.document_id, coding.entity_index)
            codings[coding.coder][names[coding.variable_id]][unit] = coding.value
    second_opinions = second_opinions and _has_second_opinion(session, workspace_id, project.id)
    values: dict[str, dict[UnitKey, AIValue]] = {row.name: {} for row in rows}
    if not compared_only or reviews or codings or second_opinions:
        for value in _ai_values(session, workspace_id, project, names, job_types):
            values[value.variable][value.unit] = value
    records = ProjectRecords(
        project.id,
        project.reliability_level,
        project.target_accuracy,
        [spec_of(row) for row in rows],
        values,
        reviews,
        dict(codings),
    )
    if second_opinions:
        records.second = _second_opinions(session, workspace_id, project, names, values)
    return records


def _latest_reviews(session: Session, workspace_id: int, project_id: int, coder: str | None) -> list[Any]:
    reviews = ReviewRepository(session, workspace_id)
    if coder is None:
        return list(reviews.latest(project_id).values())
    account = AccountRepository(session).by_login(coder)
    return [] if account is None else list(reviews.latest(project_id, account.id).values())


def _has_second_opinion(session: Session, workspace_id: int, project_id: int) -> bool:
    jobs = JobRepository(session, workspace_id)
    query = jobs.select().where(
        ProcessingJob.project_id == project_id, ProcessingJob.job_type == JobType.SECOND_OPINION
    )
    return session.scalars(query.limit(1)).first() is not None


def _ai_values(
    session: Session,
    workspace_id: int,
    project: Project,
    names: dict[int, str],
    job_types: tuple[JobType, ...],
) -> list[AIValue]:
    query = ExtractionRepository(session, workspace_id).latest_values(
        project.id,
        Extraction.id,
        Extraction.document_id,
        Document.file_name,
        Extraction.entity_index,
        Extraction.entity_text,
        Extraction.variable_id,
        Extraction.value,
        Extraction.confidence,
        Extraction.status,
        Extraction.match_status,
        Extraction.evidence_quote,
        Extraction.page,
        Extraction.error_message,
        Extraction.model,
        Extraction.prompt_id,
        job_types=job_types,
    )
    # The columns are in AIValue's order: each row becomes one with the variable's name for its id.
    values = []
    for row in session.execute(query):
        if (name := names.get(row[5])) is not None:
            values.append(AIValue._make((*row[:5], name, *row[6:])))
    return values


def _second_opinions(
    session: Session,
    workspace_id: int,
    project: Project,
    names: dict[int, str],
    main: dict[str, dict[UnitKey, AIValue]],
) -> dict[str, ByVariable]:
    """The latest second opinion of each unit, by model. Entities are matched to the main run's by name:
    another model may list a document's entities in another order."""
    entity_units = {
        (value.document_id, entity_key(value.entity_text)): value.unit
        for values in main.values()
        for value in values.values()
        if value.entity_index is not None
    }
    opinions: dict[str, ByVariable] = defaultdict(lambda: defaultdict(dict))
    for value in _ai_values(session, workspace_id, project, names, (JobType.SECOND_OPINION,)):
        unit: UnitKey | None = value.unit
        if value.entity_index is not None:
            unit = entity_units.get((value.document_id, entity_key(value.entity_text)))
        if unit is not None and not value.failed:
            opinions[f"AI ({value.model})"][value.variable][unit] = value.value
    return dict(opinions)
