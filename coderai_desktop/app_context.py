"""Composition root: settings -> logging, engine, migrated schema, services. GUI, CLI and tests start here."""

from __future__ import annotations

import functools
import gc
import logging
import sqlite3
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from coderai_desktop import __version__
from coderai_desktop.auth.accounts import AccountService
from coderai_desktop.auth.lab_login import refuse_unless_member
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.errors import CoderAIError, DatabaseDamagedError
from coderai_desktop.formatting import local_time
from coderai_desktop.logging_setup import close_logging, configure_logging
from coderai_desktop.persistence.backups import daily_copy, list_backups, no_copy_yet
from coderai_desktop.persistence.engine import Database, create_engine, sqlite_path
from coderai_desktop.persistence.migrate import MigrationResult, upgrade_database
from coderai_desktop.persistence.storage_errors import damaged, storage_problem
from coderai_desktop.persistence.worker_liveness import WorkerLiveness
from coderai_desktop.private_files import private_dir, tighten
from coderai_desktop.projects.service import ProjectService

if TYPE_CHECKING:
    from coderai_desktop.auth.secrets import SecretStore
    from coderai_desktop.export.service import ExportService
    from coderai_desktop.ingest.pool import ParserPool
    from coderai_desktop.ingest.service import DocumentService
    from coderai_desktop.llm.provider_service import ProviderService
    from coderai_desktop.pipeline.copilot import Copilot
    from coderai_desktop.pipeline.jobs import JobService
    from coderai_desktop.pipeline.project_path import ProjectPathService
    from coderai_desktop.pipeline.prompt_lab import PromptLab
    from coderai_desktop.pipeline.refinement import RefinementService
    from coderai_desktop.projects.sharing import SharingService
    from coderai_desktop.review.results import ResultsService
    from coderai_desktop.review.service import ReviewService

logger = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    database: Database
    accounts: AccountService
    migration: MigrationResult
    log_file: Path

    @classmethod
    def open(cls, settings: Settings, *, log_to_console: bool = False) -> AppContext:
        """Everything ready to use; the schema is upgraded (after a backup) before anything reads it."""
        try:
            private_dir(settings.data_dir)
            log_file = configure_logging(settings.log_dir, settings.log_level, console=log_to_console)
            logger.info("CoderAI Desktop %s, data in %s", __version__, settings.data_dir)
            database_file = sqlite_path(settings.database_url)
            tighten(settings.data_dir, *([database_file] if database_file else []))
            with suppress(OSError):  # a read-only data folder can still be read; importing will say why not
                private_dir(settings.data_dir / "workspaces")  # imported file copies
            engine = create_engine(settings.database_url)
        except OSError as error:
            if problem := explain_storage_error(settings, error):
                raise problem from error
            raise
        try:
            refuse_unless_member(engine)  # a lab's database: only as a member, never as its owner or admin
            migration = upgrade_database(engine, settings.backup_dir)
        except Exception as error:
            engine.dispose()
            if problem := explain_storage_error(settings, error):
                raise problem from error
            if not isinstance(error, OperationalError):
                raise
            where = engine.url.render_as_string(hide_password=True)
            raise CoderAIError(
                f"Cannot open the database at {where}: {error.orig}. Check that the server is running and "
                "the address is right (--db-url or CODERAI_DB_URL)."
            ) from error
        except BaseException:
            engine.dispose()
            raise
        database = Database(engine)
        freeze_imports("start-up")
        if database_file is not None and migration.from_revision is not None and not database.read_only:
            with suppress(OSError, sqlite3.Error):  # a copy that cannot be made must not stop the app
                daily_copy(database_file, settings.backup_dir)
        return cls(
            settings=settings,
            database=database,
            accounts=AccountService(database, settings.login_failure_delay),
            migration=migration,
            log_file=log_file,
        )

    def projects(self, user: UserSession) -> ProjectService:
        store = self.settings.workspace_store(user.workspace_id)
        database = self.database_for(user)
        return ProjectService(database, user, store, WorkerLiveness.of(database.engine))

    # The services below are imported when first asked for: the keyring, the parsers, LangChain, OpenAI
    # and pandas behind them cost seconds that `coderai --version`, `project list` and the login window need not pay.

    @functools.cached_property
    def secrets(self) -> SecretStore:
        from coderai_desktop.auth.secrets import SecretStore

        return SecretStore()

    @functools.cached_property
    def parsers(self) -> ParserPool:
        from coderai_desktop.ingest.pool import ParserPool, PoolLimits

        settings = self.settings
        return ParserPool(
            PoolLimits(settings.import_workers, settings.parse_timeout_seconds, settings.parse_memory_mb)
        )

    def documents(self, user: UserSession) -> DocumentService:
        from coderai_desktop.ingest.service import DocumentService

        return DocumentService(self.database_for(user), user, self.settings, self.parsers)

    def providers(self, user: UserSession) -> ProviderService:
        from coderai_desktop.llm.provider_service import ProviderService

        return ProviderService(self.database_for(user), user, self.secrets)

    def jobs(self, user: UserSession) -> JobService:
        from coderai_desktop.pipeline.jobs import JobService

        return JobService(
            self.database_for(user), user, self.settings, self.providers(user), self.documents(user)
        )

    def copilot(self, user: UserSession) -> Copilot:
        from coderai_desktop.pipeline.copilot import Copilot

        return Copilot(
            self.database_for(user), user, self.providers(user), self.documents(user), parsers=self.parsers
        )

    def prompt_lab(self, user: UserSession) -> PromptLab:
        from coderai_desktop.pipeline.prompt_lab import PromptLab

        return PromptLab(
            self.database_for(user), user, self.jobs(user), self.providers(user), self.documents(user)
        )

    def refinement(self, user: UserSession) -> RefinementService:
        from coderai_desktop.pipeline.refinement import RefinementService

        return RefinementService(
            self.database_for(user),
            user,
            self.settings,
            self.jobs(user),
            self.providers(user),
            self.documents(user),
        )

    def reviews(self, user: UserSession) -> ReviewService:
        from coderai_desktop.review.service import ReviewService

        return ReviewService(self.database_for(user), user)

    def results(self, user: UserSession) -> ResultsService:
        from coderai_desktop.review.results import ResultsService

        return ResultsService(self.database_for(user), user, in_process=self.parsers.run)

    def exports(self, user: UserSession) -> ExportService:
        from coderai_desktop.export.service import ExportService

        reviews = self.reviews(user)
        return ExportService(self.database_for(user), user, reviews.agreement_in, reviews.quality_in)

    def project_path(self, user: UserSession) -> ProjectPathService:
        """Where a project stands on its way to an exported dataset (the Overview)."""
        from coderai_desktop.pipeline.project_path import ProjectPathService

        return ProjectPathService(self.database_for(user), user, self.providers(user))

    def storage_problem(self, error: BaseException) -> CoderAIError | None:
        """A full disk, read-only folder or damaged database, in plain words (None for anything else)."""
        return explain_storage_error(self.settings, error)

    def close(self) -> None:
        if "parsers" in self.__dict__:  # started only if something imported documents
            self.parsers.close()
        self.database.close()
        close_logging()

    def sharing(self, user: UserSession) -> SharingService:
        from coderai_desktop.projects.sharing import SharingService

        return SharingService(self.database_for(user), user)

    def database_for(self, user: UserSession) -> Database:
        """The database as `user` may use it: in a project shared with them as a viewer, every write is
        refused; as an editor, deleting or renaming the project."""
        owner = user.owner_login or "its owner"
        if user.access is ShareAccess.VIEWER:
            return self.database.for_viewer(owner)
        if user.access is ShareAccess.EDITOR:
            return self.database.for_editor(owner)
        return self.database


def explain_storage_error(settings: Settings, error: BaseException) -> CoderAIError | None:
    """storage_problem() for this data folder; a damaged SQLite file comes with its newest backup."""
    database_file = sqlite_path(settings.database_url)
    problem = storage_problem(error, database_file or settings.data_dir)
    if isinstance(problem, DatabaseDamagedError) and database_file is not None:
        return damaged(problem.database_file, problem.reason, restore_advice(settings, database_file))
    return problem


def restore_advice(settings: Settings, database_file: Path) -> str:
    backups = list_backups(settings.backup_dir, database_file)
    if not backups:
        return no_copy_yet(settings.backup_dir)
    return (
        f"Nothing was changed. The newest automatic copy is {backups[0].path} "
        f"(made {local_time(backups[0].made)}): `coderai db restore` puts it back and keeps the damaged "
        "file aside; `coderai db backups` lists all the copies."
    )


@functools.cache  # once per stage and process: what later contexts (tests open many) make is ordinary garbage
def freeze_imports(stage: str) -> None:
    """What `stage` ("start-up", "main window") imported lives as long as the app: the collector need not
    walk it again in every full collection (bench_import: loop stalls of 150-290 ms during an import, under
    25 ms without)."""
    gc.freeze()
