"""Agreement benchmark: 50 variables x 2,000 reviewed units, and the review queue against random review.

1. Agreement and calibration, end to end: a real SQLite file with 2,000 documents coded for 50 variables
   (category, ordered category, boolean, number, date, multi-valued text) and every value reviewed (about
   15% corrected). Timed: `ReviewService.agreement` (read + every statistic with 1,000-resample bootstrap
   intervals + calibration), and the computation alone with bootstrap off.
2. The bare reference packages on the same arrays (point estimates only, no intervals): the `krippendorff`
   package's alpha and scikit-learn's cohen_kappa_score, for the variables they can take. The ratio
   app / bare is the figure to watch. The package cannot take interval data with many distinct values (it
   allocates units x values x values), so those variables are left out of its side (and said so).
3. The review-routing figure on a synthetic corpus with known errors (tests/benchmarks/synthetic_review.py):
   the share of the errors caught when a budget of 10, 20 or 30% of the values is reviewed in queue
   order, against random review (the expected share is the budget).

Run: python tests/benchmarks/bench_agreement.py [--units 2000] [--variables 50]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import krippendorff
import numpy as np
import sqlalchemy as sa
from sklearn.metrics import cohen_kappa_score

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.enums import (
    DocumentFormat,
    DocumentStatus,
    ExtractionStatus,
    FeedbackType,
    JobStatus,
    JobType,
    MatchStatus,
)
from coderai_desktop.persistence.tables import (
    Document,
    Extraction,
    ExtractionFeedback,
    ProcessingJob,
    Variable,
)
from coderai_desktop.review.agreement import measure_agreement
from coderai_desktop.review.records import read_records
from coderai_desktop.review.routing import review_order
from tests.benchmarks.synthetic_review import caught_share, synthetic_corpus

PASSWORD = "benchmark password"
KINDS = ("category", "ordered", "boolean", "number", "date", "list")
CATEGORIES = ["none", "low", "medium", "high", "full"]
ERROR_RATE = 0.15
ROUTING_VALUES = 20_000


def specs(count: int) -> list[VariableSpec]:
    made = []
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        fields: dict[str, Any] = {"name": f"v{index:02d}_{kind}", "instructions": "Code it."}
        if kind in ("category", "ordered"):
            fields |= {"type": "category", "categories": [{"value": c} for c in CATEGORIES]}
            fields["ordered"] = kind == "ordered"
        elif kind == "list":
            fields |= {"type": "text", "if_multiple_values": "all"}
        else:
            fields["type"] = kind
        made.append(VariableSpec.model_validate(fields))
    return made


def value_of(kind: str, rng: random.Random) -> Any:
    if kind in ("category", "ordered"):
        return rng.choice(CATEGORIES)
    if kind == "boolean":
        return rng.random() < 0.3
    if kind == "number":
        return rng.randint(0, 5000)
    if kind == "date":
        return f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    return sorted(rng.sample(["air", "water", "soil", "noise", "heat", "waste"], rng.randint(1, 3)))


def corrected(kind: str, value: Any, rng: random.Random) -> Any:
    """A value the researcher says it should be instead (near the AI's, as real corrections often are)."""
    if kind in ("category", "ordered"):
        return rng.choice([c for c in CATEGORIES if c != value])
    if kind == "boolean":
        return not value
    if kind == "number":
        return value + rng.choice([-1, 1]) * rng.randint(1, 500)
    if kind == "date":
        return value[:-1] + str((int(value[-1]) + 1) % 10)
    return sorted({*value[:-1], "other"})


def populate(
    context: AppContext, units: int, count: int
) -> tuple[str, dict[str, tuple[list[Any], list[Any]]]]:
    """The project, and per variable the AI's and the researcher's values (for the bare packages)."""
    user = asyncio.run(context.accounts.create_account("bench", PASSWORD))
    variables = specs(count)
    project = asyncio.run(context.projects(user).create_project(ProjectContext(name="Benchmark"), variables))
    rng = random.Random(11)
    ws = user.workspace_id
    pairs: dict[str, tuple[list[Any], list[Any]]] = {spec.name: ([], []) for spec in variables}
    with context.database.transaction() as session:
        ids = {name: id_ for name, id_ in session.execute(sa.select(Variable.name, Variable.id))}
        session.execute(
            sa.insert(Document),
            [
                {
                    "workspace_id": ws,
                    "project_id": project.id,
                    "file_name": f"document_{n:05d}.txt",
                    "original_path": f"/corpus/document_{n:05d}.txt",
                    "sha256": f"{n:064x}",
                    "size_bytes": 5_000,
                    "format": DocumentFormat.TXT,
                    "status": DocumentStatus.READY,
                    "warnings": [],
                }
                for n in range(units)
            ],
        )
        documents = list(session.scalars(sa.select(Document.id).where(Document.project_id == project.id)))
        job = ProcessingJob(
            workspace_id=ws, project_id=project.id, job_type=JobType.SAMPLE, status=JobStatus.COMPLETED
        )
        session.add(job)
        session.flush()
        values = []
        for document_id in documents:
            for spec in variables:
                kind = spec.name.split("_", 1)[1]
                values.append(
                    {
                        "workspace_id": ws,
                        "project_id": project.id,
                        "job_id": job.id,
                        "document_id": document_id,
                        "variable_id": ids[spec.name],
                        "value": value_of(kind, rng),
                        "confidence": round(rng.betavariate(5, 1.5), 2),
                        "match_status": MatchStatus.EXACT,
                        "status": ExtractionStatus.EXTRACTED,
                        "model": "gpt-4o-mini",
                    }
                )
        session.execute(sa.insert(Extraction), values)
        extraction_ids = session.execute(
            sa.select(Extraction.id, Extraction.variable_id, Extraction.value)
        ).all()
        names = {id_: name for name, id_ in ids.items()}
        reviews = []
        for extraction_id, variable_id, value in extraction_ids:
            name = names[variable_id]
            kind = name.split("_", 1)[1]
            wrong = rng.random() < ERROR_RATE
            human = corrected(kind, value, rng) if wrong else value
            pairs[name][0].append(value)
            pairs[name][1].append(human)
            reviews.append(
                {
                    "workspace_id": ws,
                    "extraction_id": extraction_id,
                    "feedback_type": FeedbackType.INCORRECT if wrong else FeedbackType.CORRECT,
                    "corrected_value": human if wrong else None,
                    "account_id": user.account_id,
                }
            )
        session.execute(sa.insert(ExtractionFeedback), reviews)
    return "bench", pairs


def timed(work: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def bare(pairs: dict[str, tuple[list[Any], list[Any]]]) -> tuple[float, list[str]]:
    """The reference packages' point estimates on the same arrays; the variables they cannot take."""
    arrays, skipped = [], []
    for name, (ai, human) in pairs.items():
        kind = name.split("_", 1)[1]
        if kind in ("category", "ordered", "boolean"):
            codes = {value: index for index, value in enumerate([*CATEGORIES, False, True])}
            data = np.array([[codes[v] for v in ai], [codes[v] for v in human]], dtype=float)
            level = "ordinal" if kind == "ordered" else "nominal"
            arrays.append((data, level, kind != "ordered"))
        else:
            skipped.append(f"{name} ({'interval, too many distinct values' if kind != 'list' else 'sets'})")

    def run() -> None:
        for data, level, kappa in arrays:
            krippendorff.alpha(reliability_data=data, level_of_measurement=level)
            if kappa:
                cohen_kappa_score(data[0], data[1])

    return timed(run), skipped


def draw_quality_page(report: Any) -> None:
    """Every figure of the Quality page, as the page and the codebook document build them (off the GUI
    thread), rendered."""
    from coderai_desktop.charts import png
    from coderai_desktop.ui.quality.figures import overview_figure, variable_figures

    png(overview_figure(report))
    for item in report.variables:
        figures = variable_figures(report, item.name)
        assert figures is not None
        for figure in (figures.calibration, figures.values, figures.confusion):
            if figure is not None:
                png(figure)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--variables", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_environment(data_dir=Path(folder))
        context = AppContext.open(settings)
        started = time.perf_counter()
        login, pairs = populate(context, args.units, args.variables)
        print(
            f"Stored {args.units:,} units x {args.variables} variables, every value reviewed "
            f"({ERROR_RATE:.0%} corrected), in {time.perf_counter() - started:.1f} s"
        )
        user = asyncio.run(context.accounts.login(login, PASSWORD))
        reviews = context.reviews(user)
        end_to_end = timed(lambda: asyncio.run(reviews.agreement("Benchmark")), repeat=1)
        quality_seconds = timed(lambda: asyncio.run(reviews.quality("Benchmark")), repeat=1)
        quality = asyncio.run(reviews.quality("Benchmark"))
        chart_seconds = timed(lambda: draw_quality_page(quality), repeat=1)
        with context.database.transaction() as session:
            records = read_records(session, user.workspace_id, "Benchmark")
        with context.database.transaction() as session:
            reading = timed(lambda: read_records(session, user.workspace_id, "Benchmark"), repeat=1)
        with_intervals = timed(lambda: measure_agreement(records), repeat=1)
        points = timed(lambda: measure_agreement(records, bootstrap=0))
        report = measure_agreement(records)
        bare_seconds, skipped = bare(pairs)
        comparable = [
            spec
            for spec in records.variables
            if spec.name.split("_", 1)[1] in ("category", "ordered", "boolean")
        ]
        subset = type(records)(**{**records.__dict__, "variables": comparable})
        points_subset = timed(lambda: measure_agreement(subset, bootstrap=0))
        context.close()
    print(
        f"Agreement, calibration and verdicts, end to end (read + 1,000-resample intervals): {end_to_end:.2f} s"
    )
    print(
        f"The Quality page's report (the same, plus distributions, confusions, corrections and prompt "
        f"versions): {quality_seconds:.2f} s, {quality_seconds / end_to_end:.2f}x the agreement alone"
    )
    print(
        f"  its figures (the agreement chart, and each variable's calibration, values and confusion, drawn "
        f"to PNG): {chart_seconds:.2f} s for {1 + 3 * len(quality.variables)} figures, "
        f"{chart_seconds * 1000 / (1 + 3 * len(quality.variables)):.0f} ms each"
    )
    print(f"  reading the reviews and values: {reading:.2f} s")
    print(f"  computing with intervals: {with_intervals:.2f} s; point estimates only: {points:.2f} s")
    print(
        f"Bare krippendorff.alpha + cohen_kappa_score on the {len(comparable)} variables they take: "
        f"{bare_seconds * 1000:.0f} ms"
    )
    print(
        f"  the app's point estimates (alpha, kappa, AC1, percent, calibration) on the same variables: "
        f"{points_subset * 1000:.0f} ms; ratio app / bare {points_subset / bare_seconds:.2f}"
    )
    print(f"  left out of the bare side: {len(skipped)} variables ({'; '.join(skipped[:2])}, ...)")
    alphas = [
        item.basis.alpha
        for item in report.variables
        if item.basis is not None and item.basis.alpha is not None
    ]
    print(f"  alpha over the variables: {min(alphas):.2f} to {max(alphas):.2f}; {report.summary()}")

    signals, wrong = synthetic_corpus(ROUTING_VALUES, seed=7)
    order = review_order(signals)
    shuffled = list(range(len(signals)))
    random.Random(3).shuffle(shuffled)
    print(f"Review routing on {ROUTING_VALUES:,} synthetic values ({sum(wrong) / len(wrong):.0%} wrong):")
    for budget in (0.1, 0.2, 0.3):
        routed, chance = caught_share(order, wrong, budget), caught_share(shuffled, wrong, budget)
        print(
            f"  review {budget:.0%}: queue catches {routed:.0%} of the errors, random review {chance:.0%} "
            f"({routed / chance:.1f}x)"
        )


if __name__ == "__main__":
    main()
