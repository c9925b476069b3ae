"""Export benchmark: 10,000 documents x 50 variables (the default), coded values stored in a real SQLite file.

Prints, for each format, the seconds and the peak memory allocated (tracemalloc) of the
app's export from the loaded dataset (table built, cells made safe, file written), and of a bare write of
the same table with the same library: pandas' to_csv / to_excel(openpyxl) / to_json, pyreadstat's
write_dta / write_sav of the same prepared frame. The ratio app / bare is the figure to watch (the limit:
the bare write is what the library costs anyway). Reading the dataset from the database is timed apart.

Run: python tests/benchmarks/bench_export.py [--documents 10000] [--variables 50]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pandas as pd
import pyreadstat
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import Category, ProjectContext, VariableSpec
from coderai_desktop.domain.enums import (
    DocumentFormat,
    DocumentStatus,
    ExtractionStatus,
    JobStatus,
    JobType,
    MatchStatus,
    PromptReason,
)
from coderai_desktop.export.model import Dataset, ExportFormat
from coderai_desktop.export.service import table_for, write_export
from coderai_desktop.export.writers.stats import SPSS, STATA, prepare_frame
from coderai_desktop.persistence.tables import Document, Extraction, ProcessingJob, Prompt, Variable

PASSWORD = "benchmark password"
KINDS = ("text", "number", "boolean", "category", "date", "list")
WORDS = [
    "plan",
    "energy",
    "transport",
    "housing",
    "emissions",
    "target",
    "budget",
    "council",
    "region",
    "national",
]


def variables(count: int) -> list[VariableSpec]:
    specs = []
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        name = f"v{index:02d}_{kind}"
        fields: dict[str, object] = {"name": name, "instructions": f"Code {name}.", "type": kind}
        if kind == "category":
            fields["categories"] = [Category(value=word) for word in WORDS[:5]]
        if kind == "list":
            fields.update(type="text", if_multiple_values="all", max_values=3)
        specs.append(VariableSpec.model_validate(fields))
    return specs


def value_of(kind: str, rng: random.Random) -> object:
    if kind == "number":
        return round(rng.uniform(-1000, 100000), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "category":
        return rng.choice(WORDS[:5])
    if kind == "date":
        return f"{rng.randint(1990, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == "list":
        return rng.sample(WORDS, rng.randint(1, 3))
    return " ".join(rng.choice(WORDS) for _ in range(8)).capitalize() + "."


def populate(context: AppContext, documents: int, count: int) -> str:
    """A project with `count` variables and `documents` documents, each coded by one full run."""
    user = asyncio.run(context.accounts.create_account("bench", PASSWORD))
    specs = variables(count)
    project = asyncio.run(context.projects(user).create_project(ProjectContext(name="Benchmark"), specs))
    rng = random.Random(7)
    ws = user.workspace_id
    with context.database.transaction() as session:
        variable_ids = {name: id_ for name, id_ in session.execute(sa.select(Variable.name, Variable.id))}
        session.execute(
            sa.insert(Document),
            [
                {
                    "workspace_id": ws,
                    "project_id": project.id,
                    "file_name": f"document_{n:05d}.pdf",
                    "original_path": f"/corpus/document_{n:05d}.pdf",
                    "sha256": f"{n:064x}",
                    "size_bytes": 50_000,
                    "format": DocumentFormat.PDF,
                    "page_count": 12,
                    "word_count": 4000,
                    "status": DocumentStatus.READY,
                    "warnings": [],
                    "import_metadata": {"country": rng.choice(["NO", "SE", "DK"])},
                }
                for n in range(documents)
            ],
        )
        document_ids = list(session.scalars(sa.select(Document.id).where(Document.project_id == project.id)))
        job = ProcessingJob(
            workspace_id=ws, project_id=project.id, job_type=JobType.FULL, status=JobStatus.COMPLETED
        )
        prompt = Prompt(
            workspace_id=ws,
            project_id=project.id,
            scope_key="grouped:1",
            variable_names=[spec.name for spec in specs],
            version=1,
            system_prompt="You code documents.",
            message_template="{document}",
            model="gpt-4o-mini",
            temperature=0.0,
            max_tokens=4000,
            response_schema={},
            reason=PromptReason.CREATED,
        )
        session.add_all([job, prompt])
        session.flush()
        for start in range(0, len(document_ids), 500):
            rows = []
            for document_id in document_ids[start : start + 500]:
                for spec in specs:
                    kind = spec.name.split("_", 1)[1]
                    value = value_of(kind, rng)
                    rows.append(
                        {
                            "workspace_id": ws,
                            "project_id": project.id,
                            "job_id": job.id,
                            "document_id": document_id,
                            "variable_id": variable_ids[spec.name],
                            "value": value,
                            "confidence": round(rng.random(), 3),
                            "evidence_quote": f"The document says: {value}",
                            "page": rng.randint(1, 12),
                            "match_status": MatchStatus.EXACT,
                            "status": ExtractionStatus.FLAGGED
                            if rng.random() < 0.05
                            else ExtractionStatus.EXTRACTED,
                            "prompt_id": prompt.id,
                            "model": "gpt-4o-mini",
                            "temperature": 0.0,
                        }
                    )
            session.execute(sa.insert(Extraction), rows)
    return "bench"


def bare_writers(dataset: Dataset) -> dict[ExportFormat, Callable[[Path], object]]:
    """The same table written by the library alone (frames built before the clock starts)."""
    wide = table_for(dataset, ExportFormat.CSV)
    long = table_for(dataset, ExportFormat.CSV_LONG)
    frame = pd.DataFrame(wide.rows, columns=wide.columns)
    long_frame = pd.DataFrame(long.rows, columns=long.columns)
    stata, spss = prepare_frame(wide, STATA)[0], prepare_frame(wide, SPSS)[0]
    return {
        ExportFormat.CSV: lambda path: frame.to_csv(path, index=False),
        ExportFormat.CSV_LONG: lambda path: long_frame.to_csv(path, index=False),
        ExportFormat.XLSX: lambda path: frame.to_excel(path, index=False, engine="openpyxl"),
        ExportFormat.JSON: lambda path: frame.to_json(path, orient="records", force_ascii=False),
        ExportFormat.DTA: lambda path: pyreadstat.write_dta(stata, str(path), version=14),
        ExportFormat.SAV: lambda path: pyreadstat.write_sav(spss, str(path)),
    }


def timed(work: Callable[[], object]) -> tuple[float, int]:
    """Seconds of one run of `work`, and the peak memory it allocates (traced in a second run: tracing slows
    it down). numpy and pandas report their buffers to tracemalloc; pyreadstat's C buffers are not seen."""
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        work()
        return seconds, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--variables", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        context = AppContext.open(Settings(data_dir=Path(folder) / "data", ocr_enabled=False))
        try:
            started = time.perf_counter()
            login = populate(context, args.documents, args.variables)
            print(
                f"{args.documents:,} documents x {args.variables} variables stored in "
                f"{time.perf_counter() - started:.1f} s"
            )
            user = asyncio.run(context.accounts.login(login, PASSWORD))
            exports = context.exports(user)
            started = time.perf_counter()
            dataset = asyncio.run(exports.dataset("Benchmark"))
            print(f"Reading the dataset from SQLite: {time.perf_counter() - started:.2f} s")
            tracemalloc.start()
            asyncio.run(exports.dataset("Benchmark"))
            print(f"  peak memory allocated: {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MiB\n")
            tracemalloc.stop()
            bare = bare_writers(dataset)
            print(
                f"{'format':<9} {'app s':>7} {'bare s':>7} {'ratio':>6} {'app MiB':>8} {'bare MiB':>9} {'file MiB':>9}"
            )
            for kind in ExportFormat:
                target = Path(folder) / f"app{kind.suffix}"
                app_seconds, app_memory = timed(partial(write_export, dataset, kind, target, None, False))
                size = target.stat().st_size
                bare_seconds, bare_memory = timed(partial(bare[kind], Path(folder) / f"bare{kind.suffix}"))
                print(
                    f"{kind.value:<9} {app_seconds:>7.2f} {bare_seconds:>7.2f} {app_seconds / bare_seconds:>6.2f} "
                    f"{app_memory / 2**20:>8.0f} {bare_memory / 2**20:>9.0f} {size / 2**20:>9.1f}"
                )
        finally:
            context.close()


if __name__ == "__main__":
    main()
