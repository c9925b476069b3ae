"""Prompt refinement: from a variable's corrections to a better prompt, measured on documents the refiner did
not see.

1. `analyse`: every reviewed value of the variable, each correction with its kind of error.
2. `propose`: the reviewed documents are split (stratified, by seed; the split is stored) into a refinement
   set and a held-out set; the refiner (one structured call through the project's provider) reads the
   refinement set only and proposes revisions: instructions, rules, category definitions, worked examples
   quoted from refinement documents (refinement_prompts checks each).
3. `estimate`, then `evaluate`: each proposal re-codes the held-out documents (nothing is stored but the
   figures); its agreement with the researcher there stands beside the current prompt's.
4. `choose`: the researcher's choice becomes the variable's definition and a new prompt version "refined
   from feedback" linked to the refinement, or the current prompt is kept. Nothing changes without it.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import Codebook, VariableSpec
from coderai_desktop.domain.enums import PromptReason
from coderai_desktop.domain.errors import ConflictError, InvalidInputError, NotFoundError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.refinement import (
    DEFAULT_PROPOSALS,
    HELD_OUT_SHARE,
    MAX_PROPOSALS,
    MIN_PROPOSALS,
    EvaluationEstimate,
    FeedbackAnalysis,
    FeedbackItem,
    Proposal,
    RefinementInfo,
    RefinementStatus,
    revised,
)
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.client import Usage
from coderai_desktop.llm.prompts import variable_definition
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.codebooks import CodebookVersionRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository, context_of
from coderai_desktop.persistence.repositories.prompts import PromptRepository
from coderai_desktop.persistence.repositories.refinements import (
    RefinementRepository,
    feedback_json,
    info_of,
    proposal_json,
    result_json,
)
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.persistence.tables import Account, Refinement
from coderai_desktop.pipeline import refinement_prompts as prompts
from coderai_desktop.pipeline import refinement_trial as held_out
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.planning import RunSetup, prepare
from coderai_desktop.pipeline.refinement_split import split_documents
from coderai_desktop.review.feedback import analyse
from coderai_desktop.review.records import read_records

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Read:
    spec: VariableSpec
    analysis: FeedbackAnalysis


class RefinementService:
    def __init__(
        self,
        database: Database,
        user: UserSession,
        app: Settings,
        jobs: JobService,
        providers: ProviderService,
        documents: DocumentService,
    ):
        self._database = database
        self._user = user
        self._app = app
        self._jobs = jobs
        self._providers = providers
        self._documents = documents

    # --- the errors -----------------------------------------------------------------------------------

    async def analyse(self, project: ProjectRef, variable: str) -> FeedbackAnalysis:
        """Every reviewed value of the variable, errors first, each with its kind."""
        read = await self._database.run(lambda s: self._read(s, project, variable))
        return read.analysis

    # --- proposals ------------------------------------------------------------------------------------

    async def propose(
        self,
        project: ProjectRef,
        variable: str,
        *,
        proposals: int = DEFAULT_PROPOSALS,
        seed: int | None = None,
        held_out_share: float = HELD_OUT_SHARE,
    ) -> RefinementInfo:
        """Split the reviewed documents, ask the refiner for `proposals` revisions from the refinement set
        only, and store them (status "proposed"). Nothing in the codebook changes."""
        if not MIN_PROPOSALS <= proposals <= MAX_PROPOSALS:
            raise InvalidInputError(f"Ask for {MIN_PROPOSALS} to {MAX_PROPOSALS} proposals, not {proposals}.")
        setup = await self._jobs.setup(project)
        read = await self._database.run(lambda s: self._read(s, setup.project_id, variable))
        spec, analysis = read.spec, read.analysis
        if not analysis.errors:
            raise InvalidInputError(
                f"{spec.name} has no corrected values to learn from yet: review its values (correct the wrong "
                "ones) in the Results page, then refine."
            )
        seed = random.SystemRandom().randrange(2**31) if seed is None else seed
        pinned = [example.document_id for example in spec.examples if example.document_id is not None]
        split = split_documents(analysis.items, seed, held_out_share, never_held_out=pinned)
        if not split.held_out or not split.refinement:
            documents = len(split.held_out) + len(split.refinement)
            raise InvalidInputError(
                f"Too few reviewed documents of {spec.name} ({documents}) to keep some apart for testing the "
                "proposals: review values of a few more documents."
            )
        learning = set(split.refinement)
        errors = [item for item in analysis.errors if item.document_id in learning]
        if not errors:
            raise InvalidInputError(
                f"Every corrected document of {spec.name} fell in the held-out set with seed {seed}: review a "
                "few more of its values, or try another seed."
            )
        confirmed = [item for item in analysis.items if item.correct and item.document_id in learning]
        random.Random(seed).shuffle(confirmed)
        confirmed = confirmed[: prompts.MAX_CONFIRMED]
        passages = await self._passages(errors[: prompts.MAX_ERRORS] + confirmed)
        settings = setup.settings
        sent, answer = prompts.fitted(setup.context, spec, errors, confirmed, passages, proposals, settings)
        client = await self._providers.client(settings)
        result = await client.structured(
            sent, prompts.schema(proposals), temperature=prompts.TEMPERATURE, max_tokens=answer
        )
        found = prompts.checked(result.data, spec, {passage.label: passage for passage in passages.values()})
        for proposal in found:
            for reason in proposal.dropped:
                logger.info("Refinement of %s: dropped %s", spec.name, reason)
        if not found:
            raise InvalidInputError(
                "The refiner's answer held no usable revision (none changed the variable, or none could be "
                "checked). Try again, or with another model."
            )
        made = [
            Proposal(
                title=proposal.title,
                rationale=proposal.rationale,
                changes=proposal.changes,
                prompt_before=variable_definition(spec).strip(),
                prompt_after=variable_definition(revised(spec, proposal.changes)).strip(),
            )
            for proposal in found[:proposals]
        ]
        cost = settings.cost(
            result.usage.input_tokens, result.usage.output_tokens, result.usage.cached_tokens
        )

        def store(session: Session) -> RefinementInfo:
            variable_id = self._variable_id(session, setup.project_id, spec.name)
            row = RefinementRepository(session, self._user.workspace_id).add(
                Refinement(
                    project_id=setup.project_id,
                    variable_id=variable_id,
                    status=RefinementStatus.PROPOSED.value,
                    seed=seed,
                    split={"refinement": list(split.refinement), "held_out": list(split.held_out)},
                    variable=spec.model_dump(mode="json"),
                    errors=[feedback_json(item) for item in analysis.items],
                    proposals=[proposal_json(proposal) for proposal in made],
                    usage=_usage_json(result.usage, cost),
                    account_id=self._user.account_id,
                )
            )
            return self._info(session, row)

        info = await self._database.run(store)
        logger.info(
            "Refinement %s of %s: %s proposals from %s corrections (%s documents held out)",
            info.id,
            spec.name,
            len(made),
            len(errors),
            len(split.held_out),
        )
        return info

    # --- evaluation -----------------------------------------------------------------------------------

    async def estimate(self, refinement_id: int) -> EvaluationEstimate:
        """What re-coding the held-out documents with every proposal would cost."""
        info = await self.get(refinement_id)
        setup = await self._jobs.setup(info.project_id)
        return await held_out.estimate(setup, _spec(setup, info.variable), info, self._documents)

    async def evaluate(self, refinement_id: int, progress: held_out.Progress | None = None) -> RefinementInfo:
        """Re-code the held-out documents with each proposal and measure its agreement with the researcher
        there, beside the current prompt's (the values the researcher reviewed). Stores only the figures."""
        info = await self.get(refinement_id)
        if info.status in (RefinementStatus.CHOSEN, RefinementStatus.KEPT):
            raise ConflictError(f"Refinement {info.id} is already decided ({info.status}).")
        setup = await self._jobs.setup(info.project_id)
        spec = _spec(setup, info.variable)
        await self._database.run(lambda s: self._unchanged(s, info))
        client = await self._providers.client(setup.settings)
        baseline, tested = await held_out.try_proposals(setup, spec, info, client, self._documents, progress)

        def store(session: Session) -> RefinementInfo:
            row = RefinementRepository(session, self._user.workspace_id).require(info.id)
            row.proposals = [proposal_json(proposal) for proposal in tested]
            row.baseline = result_json(baseline)
            row.status = RefinementStatus.EVALUATED.value
            spent = sum(proposal.cost for proposal in tested)
            row.usage = {**row.usage, "cost": float(row.usage.get("cost", 0.0)) + spent}
            return self._info(session, row)

        return await self._database.run(store)

    # --- the choice -----------------------------------------------------------------------------------

    async def choose(self, refinement_id: int, index: int | None) -> RefinementInfo:
        """Proposal `index` becomes the variable's definition and a new prompt version "refined from
        feedback" (linked to this refinement); None keeps the current prompt."""
        info = await self.get(refinement_id)
        if info.status in (RefinementStatus.CHOSEN, RefinementStatus.KEPT):
            raise ConflictError(f"Refinement {info.id} is already decided ({info.status}).")
        if index is not None:
            if not 0 <= index < len(info.proposals):
                raise InvalidInputError(
                    f"Refinement {info.id} has proposals 1 to {len(info.proposals)}, not {index + 1}."
                )
            if info.proposals[index].result is None:
                raise InvalidInputError(
                    "Test the proposals on the held-out documents before choosing one: a prompt is only "
                    "better if it does better on documents it was not refined on."
                )
            await self._jobs.setup(info.project_id)  # a pending codebook change gets its own version first
        settings = await self._providers.settings(info.project_id)

        def write(session: Session) -> RefinementInfo:
            row = RefinementRepository(session, self._user.workspace_id).require(info.id)
            if index is None:
                row.status = RefinementStatus.KEPT.value
                return self._info(session, row)
            self._unchanged(session, info)
            proposal = info.proposals[index]
            project = ProjectRepository(session, self._user.workspace_id).resolve(info.project_id)
            variables = VariableRepository(session, self._user.workspace_id)
            specs = [spec_of(v) for v in variables.of_project(project.id)]
            specs = [
                revised(spec, proposal.changes) if spec.name == info.variable else spec for spec in specs
            ]
            variables.replace_all(project.id, specs)
            session.flush()
            CodebookVersionRepository(session, self._user.workspace_id).record(
                project.id,
                Codebook(project=context_of(project), variables=specs),
                f"refined from feedback: {info.variable} (refinement #{info.id})",
                self._user.account_id,
            )
            before = _active_versions(session, self._user.workspace_id, project.id)
            setup = prepare(
                session,
                self._user.workspace_id,
                project.id,
                settings,
                self._app,
                self._user.account_id,
                PromptReason.REFINED_FROM_FEEDBACK,
                _detail(info, proposal),
            )
            row.status = RefinementStatus.CHOSEN.value
            row.chosen = index
            row.prompt_versions = [
                f"{key} v{ref.version}"
                for key, ref in sorted(setup.prompts.items())
                if before.get(key) != ref.version
            ]
            return self._info(session, row)

        chosen = await self._database.run(write)
        logger.info("Refinement %s of %s: %s", chosen.id, chosen.variable, chosen.status)
        return chosen

    # --- reading --------------------------------------------------------------------------------------

    async def get(self, refinement_id: int) -> RefinementInfo:
        def read(session: Session) -> RefinementInfo:
            row = RefinementRepository(session, self._user.workspace_id).require(refinement_id)
            return self._info(session, row)

        return await self._database.run(read)

    async def history(self, project: ProjectRef, variable: str | None = None) -> list[RefinementInfo]:
        """The project's refinements (of one variable), newest first."""

        def read(session: Session) -> list[RefinementInfo]:
            project_id = ProjectRepository(session, self._user.workspace_id).resolve(project).id
            rows = RefinementRepository(session, self._user.workspace_id).authored(project_id)
            infos = [info_of(row, _name(row), author) for row, author in rows]
            return [info for info in reversed(infos) if variable is None or info.variable == variable]

        return await self._database.run(read)

    # --- helpers --------------------------------------------------------------------------------------

    def _read(self, session: Session, project: ProjectRef, variable: str) -> _Read:
        row = ProjectRepository(session, self._user.workspace_id).resolve(project)
        records = read_records(session, self._user.workspace_id, row.id, compared_only=True)
        spec = next((spec for spec in records.variables if spec.name == variable), None)
        if spec is None:
            names = ", ".join(spec.name for spec in records.variables) or "none yet"
            raise NotFoundError(f"The codebook has no variable named {variable!r} (its variables: {names}).")
        return _Read(spec, analyse(records, spec, row.refine_after_errors))

    def _variable_id(self, session: Session, project_id: int, name: str) -> int:
        rows = VariableRepository(session, self._user.workspace_id).of_project(project_id)
        found = next((row.id for row in rows if row.name == name), None)
        if found is None:
            raise NotFoundError(f"The codebook has no variable named {name!r} any more.")
        return found

    def _unchanged(self, session: Session, info: RefinementInfo) -> None:
        """Proposals revise the variable as it was: refuse when it was edited since (no lost update)."""
        rows = VariableRepository(session, self._user.workspace_id).of_project(info.project_id)
        row = next((row for row in rows if row.name == info.variable), None)
        stored = RefinementRepository(session, self._user.workspace_id).require(info.id).variable
        if row is None or spec_of(row) != VariableSpec.model_validate(stored):
            raise ConflictError(
                f"{info.variable} was changed after these proposals were made, so they revise an older "
                "version of it: refine it again."
            )

    async def _passages(self, items: list[FeedbackItem]) -> dict[int, prompts.Passage]:
        """The refinement documents the refiner reads (never a held-out one: `items` come from the
        refinement set), labelled R1, R2... in document order."""
        by_document: dict[int, list[FeedbackItem]] = {}
        for item in items:
            by_document.setdefault(item.document_id, []).append(item)
        passages = {}
        for number, document_id in enumerate(sorted(by_document), 1):
            text = await self._documents.document_text(document_id)
            passages[document_id] = prompts.Passage(
                f"R{number}",
                document_id,
                text.file_name,
                text.text,
                prompts.excerpt(text.text, by_document[document_id]),
            )
        return passages

    def _info(self, session: Session, row: Refinement) -> RefinementInfo:
        author = None
        if row.account_id is not None:
            author = session.scalar(sa.select(Account.login).where(Account.id == row.account_id))
        return info_of(row, _name(row), author)


def _name(row: Refinement) -> str:
    """The variable's name when it was refined."""
    return VariableSpec.model_validate(row.variable).name


def _spec(setup: RunSetup, name: str) -> VariableSpec:
    spec = next((spec for spec in setup.variables if spec.name == name), None)
    if spec is None:
        raise NotFoundError(f"The codebook has no variable named {name!r} any more.")
    return spec


def _detail(info: RefinementInfo, proposal: Proposal) -> str:
    text = f"refinement #{info.id}: {proposal.title}"
    if info.baseline is not None and proposal.result is not None and proposal.result.reliability is not None:
        before = info.baseline.reliability
        shown = "n/a" if before is None else f"{before:.2f}"
        text += (
            f"; {proposal.result.measure} on {proposal.result.n} held-out units {shown} -> "
            f"{proposal.result.reliability:.2f}"
        )
    return text


def _active_versions(session: Session, workspace_id: int, project_id: int) -> dict[str, int]:
    return {
        row.scope_key: row.version for row in PromptRepository(session, workspace_id).all_active(project_id)
    }


def _usage_json(usage: Usage, cost: float) -> dict[str, Any]:
    return {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens, "cost": cost}
