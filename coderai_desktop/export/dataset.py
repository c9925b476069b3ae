"""Read what an export needs from the database, in one transaction: the values of the latest run that coded
each document (or of sample or full runs only), streamed window by window from the dataset read model (the
one the results grid pages through), with the researchers' corrections and their history, the
codebook with the prompts behind it, the runs, the corpus, and (from the review service) agreement and
calibration; for a codebook document, also the quality report its figures are drawn from and the prompt
refinements. Filters leave values out; a unit left without any is dropped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.domain.agreement import AgreementReport
from coderai_desktop.domain.dataset import Cell, UnitValues
from coderai_desktop.domain.enums import DATASET_JOB_TYPES, DocumentStatus, JobItemStatus, JobType
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.quality import QualityReport
from coderai_desktop.domain.refinement import RefinementInfo
from coderai_desktop.export.model import (
    CorpusSummary,
    Dataset,
    DocumentDetails,
    ExportOptions,
    PromptInfo,
    RunFilter,
    VariableInfo,
    VariableQuality,
)
from coderai_desktop.formatting import shorten
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.repositories.dataset import DatasetRepository
from coderai_desktop.persistence.repositories.jobs import JobRepository, summary
from coderai_desktop.persistence.repositories.projects import ProjectRepository, context_of
from coderai_desktop.persistence.repositories.refinements import RefinementRepository, info_of
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.persistence.tables import (
    Document,
    JobItem,
    ProcessingJob,
    Prompt,
    Variable,
)

RUN_TYPES = {
    RunFilter.LATEST: DATASET_JOB_TYPES,
    RunFilter.SAMPLE: (JobType.SAMPLE,),
    RunFilter.FULL: (JobType.FULL,),
}
REASON_WIDTH = 120
# Agreement and calibration of a project (by id), measured inside the export's transaction: the review
# service's, handed in by the composition root (export and review do not import each other).
AgreementSource = Callable[[Session, int], AgreementReport]
# The same for the quality report the codebook document draws its figures from (its agreement included).
QualitySource = Callable[[Session, int], QualityReport]


def load_dataset(
    session: Session,
    workspace_id: int,
    project_ref: ProjectRef,
    options: ExportOptions,
    agreement: AgreementSource | None = None,
    quality: QualitySource | None = None,
    *,
    codebook: bool = False,
) -> Dataset:
    """`codebook`: the export writes a codebook document, so read its quality report (from `quality`,
    which also gives the agreement) and the prompt refinements as well."""
    project = ProjectRepository(session, workspace_id).resolve(project_ref)
    variables = VariableRepository(session, workspace_id).of_project(project.id)
    prompts = _prompts(session, workspace_id, project.id)
    read_model = DatasetRepository(session, workspace_id, RUN_TYPES[options.runs])
    units: list[UnitValues] = []
    prompts_used: dict[str, Counter[int]] = defaultdict(Counter)
    # By file name, as a researcher looks for a document; then its entities in the order they were found.
    for window in read_model.windows(project.id):
        for unit in window:
            kept = {name: cell for name, cell in unit.values.items() if _kept(cell, options)}
            if not kept:
                continue
            units.append(UnitValues(unit.row, kept))
            for name, cell in kept.items():
                if cell.prompt_id is not None:
                    prompts_used[name][cell.prompt_id] += 1
    jobs = JobRepository(session, workspace_id).of_project(project.id)
    report = quality(session, project.id) if codebook and quality is not None else None
    if report is not None:
        measured: AgreementReport | None = report.agreement
    else:
        measured = None if agreement is None else agreement(session, project.id)
    return Dataset(
        project=context_of(project),
        variables=[
            VariableInfo(
                spec_of(variable),
                _prompt_of(variable.name, prompts, prompts_used[variable.name]),
                _quality(units, variable.name),
            )
            for variable in variables
        ],
        units=units,
        documents=_documents(session, workspace_id, project.id) if options.document_details else {},
        runs=[summary(job) for job in reversed(jobs)],
        corpus=_corpus(session, workspace_id, project.id, {unit.document_id for unit in units}),
        options=options,
        exported_at=utcnow(),
        agreement=measured,
        quality=report,
        refinements=_refinements(session, workspace_id, project.id, variables) if codebook else {},
    )


def _kept(cell: Cell, options: ExportOptions) -> bool:
    if options.reviewed_only and not cell.reviewed:
        return False
    if options.exclude_flagged and cell.flagged:
        return False
    if options.min_confidence is not None and not cell.reviewed:
        return cell.confidence is not None and cell.confidence >= options.min_confidence
    return True


def _prompts(session: Session, workspace_id: int, project_id: int) -> dict[int, Prompt]:
    query = sa.select(Prompt).where(Prompt.workspace_id == workspace_id, Prompt.project_id == project_id)
    return {prompt.id: prompt for prompt in session.scalars(query)}


def _prompt_of(name: str, prompts: dict[int, Prompt], used: Counter[int]) -> PromptInfo | None:
    """The prompt version that produced most of the exported values; without values, the active one."""
    chosen = prompts.get(used.most_common(1)[0][0]) if used else None
    if chosen is None:
        active = [p for p in prompts.values() if p.is_active and name in p.variable_names]
        chosen = max(active, key=lambda prompt: prompt.id, default=None)
    if chosen is None:
        return None
    return PromptInfo(
        scope=chosen.scope_key,
        version=chosen.version,
        model=chosen.model,
        temperature=chosen.temperature,
        system_prompt=chosen.system_prompt,
        message_template=chosen.message_template,
        created_at=chosen.created_at,
    )


def _quality(units: list[UnitValues], name: str) -> VariableQuality:
    values = [unit.values[name] for unit in units if name in unit.values]
    confidences = [value.confidence for value in values if value.confidence is not None]
    return VariableQuality(
        units=len(values),
        values=sum(1 for value in values if value.value not in (None, [], "")),
        flagged=sum(1 for value in values if value.flagged),
        mean_confidence=sum(confidences) / len(confidences) if confidences else None,
        reviewed=sum(1 for value in values if value.reviewed),
    )


def _refinements(
    session: Session, workspace_id: int, project_id: int, variables: list[Variable]
) -> dict[str, tuple[RefinementInfo, ...]]:
    """Each variable's prompt refinements, oldest first, with who made them."""
    names = {variable.id: variable.name for variable in variables}
    history: dict[str, list[RefinementInfo]] = defaultdict(list)
    for row, author in RefinementRepository(session, workspace_id).authored(project_id):
        if (name := names.get(row.variable_id)) is not None:
            history[name].append(info_of(row, name, author))
    return {name: tuple(infos) for name, infos in history.items()}


def _documents(session: Session, workspace_id: int, project_id: int) -> dict[int, DocumentDetails]:
    query = sa.select(Document.id, Document.page_count, Document.word_count, Document.import_metadata).where(
        Document.workspace_id == workspace_id, Document.project_id == project_id
    )
    return {
        row.id: DocumentDetails(row.page_count, row.word_count, dict(row.import_metadata or {}))
        for row in session.execute(query)
    }


def _corpus(session: Session, workspace_id: int, project_id: int, coded: set[int]) -> CorpusSummary:
    documents = session.execute(
        sa.select(Document.id, Document.status, Document.problem, Document.error_message).where(
            Document.workspace_id == workspace_id, Document.project_id == project_id
        )
    ).all()
    failed_imports = Counter(
        row.problem.lower().replace("_", " ") if row.problem else _reason(row.error_message)
        for row in documents
        if row.status is DocumentStatus.FAILED
    )
    # Documents a run could not code, and no other run coded: the latest failure of each says why.
    failures: dict[int, str | None] = {}
    query = (
        sa.select(JobItem.document_id, JobItem.error_message)
        .join(ProcessingJob, ProcessingJob.id == JobItem.job_id)
        .where(
            JobItem.workspace_id == workspace_id,
            ProcessingJob.project_id == project_id,
            JobItem.status == JobItemStatus.FAILED,
        )
        .order_by(JobItem.job_id)
    )
    for row in session.execute(query):
        if row.document_id not in coded:
            failures[row.document_id] = row.error_message
    return CorpusSummary(
        documents=len(documents),
        ready=sum(1 for row in documents if row.status is DocumentStatus.READY),
        failed_imports=dict(failed_imports.most_common()),
        coded=len(coded),
        failed_coding=dict(Counter(_reason(message) for message in failures.values()).most_common()),
    )


def _reason(message: str | None) -> str:
    return shorten((message or "no reason recorded").splitlines()[0], REASON_WIDTH)
