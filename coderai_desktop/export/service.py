"""Exports of a project's dataset and codebook, for the GUI and the CLI alike. The database is read on its
own thread and the file written on a worker thread, so a window stays responsive during a large export."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from coderai_desktop.atomic_files import atomic_path
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import InvalidInputError, NotFoundError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.project_path import LastExport
from coderai_desktop.export.dataset import AgreementSource, QualitySource, load_dataset
from coderai_desktop.export.model import Dataset, ExportFormat, ExportOptions, Table
from coderai_desktop.export.tables import long_table, wide_table
from coderai_desktop.export.writers.codebook_doc import write_codebook_docx, write_codebook_markdown
from coderai_desktop.export.writers.delimited import write_csv
from coderai_desktop.export.writers.json_file import write_json
from coderai_desktop.export.writers.stats import write_dta, write_sav
from coderai_desktop.export.writers.xlsx import write_xlsx
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.projects import ProjectRepository

logger = logging.getLogger(__name__)


# (dataset, the file to write, the path it will have: a Markdown codebook's figures go in a folder beside it)
CODEBOOK_WRITERS: dict[str, Callable[[Dataset, Path, Path], None]] = {
    ".docx": write_codebook_docx,
    ".md": write_codebook_markdown,
}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    columns: int
    codebook: Path | None


class ExportService:
    def __init__(
        self,
        database: Database,
        user: UserSession,
        agreement: AgreementSource | None = None,
        quality: QualitySource | None = None,
    ):
        """`agreement` measures a project's agreement and calibration inside the export's transaction (the
        review service's `agreement_in`); without it, exports carry no agreement figures. `quality` (the
        review service's `quality_in`) gives the quality report a codebook document draws its charts from,
        agreement included; without it, the codebook has no charts."""
        self._database = database
        self._user = user
        self._agreement = agreement
        self._quality = quality

    async def dataset(
        self,
        project: ProjectRef,
        options: ExportOptions | None = None,
        *,
        agreement: bool = True,
        codebook: bool = False,
    ) -> Dataset:
        """Everything an export holds; `agreement=False` skips measuring agreement (tables do not show it,
        and its bootstrap intervals take a moment); `codebook=True` adds what a codebook document shows
        besides (the quality report behind its charts, the prompt refinements)."""
        options = options or ExportOptions()
        source = self._agreement if agreement else None
        quality = self._quality if agreement else None
        return await self._database.run(
            lambda s: load_dataset(
                s, self._user.workspace_id, project, options, source, quality, codebook=codebook
            )
        )

    async def table(self, project: ProjectRef, options: ExportOptions | None = None) -> Table:
        """The wide table: what the results grid and `coderai results` show."""
        return wide_table(await self.dataset(project, options, agreement=False))

    async def preview(
        self, project: ProjectRef, export_format: ExportFormat, options: ExportOptions
    ) -> Table:
        """The table an export in `export_format` would write."""
        return table_for(await self.dataset(project, options, agreement=False), export_format)

    async def export(
        self,
        project: ProjectRef,
        export_format: ExportFormat,
        path: Path,
        options: ExportOptions | None = None,
        *,
        codebook: Path | None = None,
        excel_bom: bool = False,
    ) -> ExportResult:
        if codebook is not None and codebook.suffix.lower() not in CODEBOOK_WRITERS:
            raise InvalidInputError(
                f"The codebook is written as .docx or .md, not {codebook.suffix or 'as'!r}."
            )
        dataset = await self.dataset(project, options, codebook=codebook is not None)
        result = await asyncio.to_thread(write_export, dataset, export_format, path, codebook, excel_bom)
        logger.info(
            "Exported project %s as %s: %d rows, %d columns",
            dataset.project.name,
            export_format,
            result.rows,
            result.columns,
        )
        exported = LastExport(dataset.exported_at, export_format.value, result.rows, path.name)
        await self._record(project, exported)
        return result

    async def _record(self, project: ProjectRef, export: LastExport) -> None:
        """The project's latest export (what the Overview shows); the file name only, not where it is. The
        file is written by now: a database that cannot take the note (read-only) does not undo it."""
        if self._database.read_only:  # a viewer's export (or a read-only file) changes nothing
            return

        def write(session: Session) -> None:
            projects = ProjectRepository(session, self._user.workspace_id)
            row = projects.resolve(project)
            # An export changes nothing of the project itself: its updated_at stays.
            projects.update(row.id, last_export=export.as_json(), updated_at=row.updated_at)

        try:
            await self._database.run(write)
        except (SQLAlchemyError, NotFoundError) as error:  # read-only, or the project deleted meanwhile
            logger.warning("The export was written, but not recorded in the project: %s", error)


def write_export(
    dataset: Dataset, export_format: ExportFormat, path: Path, codebook: Path | None, excel_bom: bool
) -> ExportResult:
    table = table_for(dataset, export_format)
    writers: dict[ExportFormat, Callable[[Path], None]] = {
        ExportFormat.CSV: lambda target: write_csv(table, target, excel_bom=excel_bom),
        ExportFormat.CSV_LONG: lambda target: write_csv(table, target, excel_bom=excel_bom),
        ExportFormat.XLSX: lambda target: write_xlsx(dataset, table, target),
        ExportFormat.JSON: lambda target: write_json(dataset, table, target),
        ExportFormat.DTA: lambda target: write_dta(dataset, table, target),
        ExportFormat.SAV: lambda target: write_sav(dataset, table, target),
    }
    _write_atomically(writers[export_format], path)
    if codebook is not None:
        write = CODEBOOK_WRITERS[codebook.suffix.lower()]
        _write_atomically(lambda target: write(dataset, target, codebook), codebook)
    return ExportResult(path, len(table.rows), len(table.columns), codebook)


def table_for(dataset: Dataset, export_format: ExportFormat) -> Table:
    return long_table(dataset) if export_format is ExportFormat.CSV_LONG else wide_table(dataset)


def _write_atomically(write: Callable[[Path], None], path: Path) -> None:
    with atomic_path(path) as temporary:
        write(temporary)
