"""How the proposals' held-out results read: the best one only when it beats the current prompt, the first of
equals, and figures that never show "-0.00"."""

from __future__ import annotations

from datetime import UTC, datetime

from coderai_desktop.domain.agreement import Interval
from coderai_desktop.domain.refinement import (
    HeldOutResult,
    Proposal,
    ProposalChanges,
    RefinementInfo,
    RefinementStatus,
    Split,
)


def result(reliability: float | None) -> HeldOutResult:
    return HeldOutResult(6, "alpha", reliability, Interval(-0.5, 1.0), 0.5)


def info(baseline: float | None, *results: float | None) -> RefinementInfo:
    proposals = tuple(
        Proposal(f"p{n}", "", ProposalChanges(instructions="x"), "", "", result(value))
        for n, value in enumerate(results)
    )
    return RefinementInfo(
        1, 1, "budget", RefinementStatus.EVALUATED, Split(1, (1,), (2,)), (), proposals, result(baseline),
        None, (), 0.0, datetime.now(UTC), None,
    )  # fmt: skip


def test_the_best_proposal_must_beat_the_current_prompt() -> None:
    assert info(0.5, 0.4, 0.9, 0.9).best == 1  # the first of equals
    assert info(0.5, 0.4, 0.5).best is None  # none does better than the current prompt
    assert info(None, 0.2, 0.3).best == 1  # the current prompt could not be measured
    assert info(0.5, None).best is None


def test_a_figure_near_zero_has_no_sign() -> None:
    assert result(-0.001).text() == "alpha 0.00 [-0.50, 1.00], 50% identical on 6 units"
    assert result(None).text() == "not measurable on 6 units"


def test_clearly_better_means_the_intervals_do_not_overlap() -> None:
    close = info(0.5, 0.6)  # both intervals are [-0.5, 1.0]
    assert close.best == 0 and not close.clearly_better(0)
    proposals = (
        Proposal(
            "p",
            "",
            ProposalChanges(instructions="x"),
            "",
            "",
            HeldOutResult(40, "alpha", 0.95, Interval(0.9, 1.0), 0.97),
        ),
    )
    baseline = HeldOutResult(40, "alpha", 0.5, Interval(0.3, 0.7), 0.6)
    clear = RefinementInfo(
        1, 1, "budget", RefinementStatus.EVALUATED, Split(1, (1,), (2,)), (), proposals, baseline,
        None, (), 0.0, datetime.now(UTC), None,
    )  # fmt: skip
    assert clear.clearly_better(0)
