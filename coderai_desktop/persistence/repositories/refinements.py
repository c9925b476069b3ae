"""Prompt refinements of one workspace."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa

from coderai_desktop.domain.agreement import Interval
from coderai_desktop.domain.refinement import (
    ErrorKind,
    FeedbackItem,
    HeldOutResult,
    Proposal,
    ProposalChanges,
    ProposedExample,
    RefinementInfo,
    RefinementStatus,
    Split,
)
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Account, Refinement


class RefinementRepository(ProjectPartRepository[Refinement]):
    model = Refinement
    noun = "refinement"

    def authored(self, project_id: int) -> list[tuple[Refinement, str | None]]:
        """The project's refinements, oldest first, each with the login of the account that made it (None:
        the account is gone)."""
        query = (
            sa.select(Refinement, Account.login)
            .outerjoin(Account, Account.id == Refinement.account_id)
            .where(Refinement.workspace_id == self.workspace_id, Refinement.project_id == project_id)
        )
        return [(row, login) for row, login in self.session.execute(query.order_by(Refinement.id))]


def info_of(row: Refinement, variable: str, author: str | None) -> RefinementInfo:
    """The stored refinement as the domain's RefinementInfo (JSON columns back into their types)."""
    return RefinementInfo(
        id=row.id,
        project_id=row.project_id,
        variable=variable,
        status=RefinementStatus(row.status),
        split=Split(row.seed, tuple(row.split["refinement"]), tuple(row.split["held_out"])),
        errors=tuple(_feedback_item(item) for item in row.errors),
        proposals=tuple(_proposal(item) for item in row.proposals),
        baseline=_result(row.baseline),
        chosen=row.chosen,
        prompt_versions=tuple(row.prompt_versions or ()),
        cost=float(row.usage.get("cost", 0.0)),
        created_at=row.created_at,
        author=author,
    )


def feedback_json(item: FeedbackItem) -> dict[str, Any]:
    return {**dataclasses.asdict(item), "kind": item.kind.value if item.kind is not None else None}


def proposal_json(proposal: Proposal) -> dict[str, Any]:
    changes = proposal.changes
    return {
        "title": proposal.title,
        "rationale": proposal.rationale,
        "changes": {
            "instructions": changes.instructions,
            "classification_rules": changes.classification_rules,
            "category_definitions": dict(changes.category_definitions),
            "examples": [dataclasses.asdict(example) for example in changes.examples],
        },
        "prompt_before": proposal.prompt_before,
        "prompt_after": proposal.prompt_after,
        "result": result_json(proposal.result),
        "cost": proposal.cost,
    }


def result_json(result: HeldOutResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    interval = [result.interval.low, result.interval.high] if result.interval is not None else None
    return {**dataclasses.asdict(result), "interval": interval}


def _feedback_item(data: dict[str, Any]) -> FeedbackItem:
    kind = data.get("kind")
    return FeedbackItem(**{**data, "kind": ErrorKind(kind) if kind is not None else None})


def _proposal(data: dict[str, Any]) -> Proposal:
    changes = data["changes"]
    return Proposal(
        title=data["title"],
        rationale=data["rationale"],
        changes=ProposalChanges(
            instructions=changes.get("instructions"),
            classification_rules=changes.get("classification_rules"),
            category_definitions=dict(changes.get("category_definitions") or {}),
            examples=tuple(ProposedExample(**example) for example in changes.get("examples") or ()),
        ),
        prompt_before=data["prompt_before"],
        prompt_after=data["prompt_after"],
        result=_result(data.get("result")),
        cost=float(data.get("cost") or 0.0),
    )


def _result(data: dict[str, Any] | None) -> HeldOutResult | None:
    if data is None:
        return None
    interval = data.get("interval")
    return HeldOutResult(**{**data, "interval": Interval(*interval) if interval else None})
