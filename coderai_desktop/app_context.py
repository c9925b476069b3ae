"""Composition root: settings -> logging, engine, migrated schema, services. GUI, CLI and tests start here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import OperationalError

from coderai_desktop import __version__
from coderai_desktop.auth.accounts import AccountService
from coderai_desktop.auth.secrets import SecretStore
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.export.service import ExportService
from coderai_desktop.ingest.pool import ParserPool, PoolLimits
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.logging_setup import close_logging, configure_logging
from coderai_desktop.persistence.engine import Database, create_engine
from coderai_desktop.persistence.migrate import MigrationResult, upgrade_database
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.projects.service import ProjectService

logger = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    database: Database
    accounts: AccountService
    secrets: SecretStore
    migration: MigrationResult
    log_file: Path
    parsers: ParserPool

    @classmethod
    def open(cls, settings: Settings, *, log_to_console: bool = False) -> AppContext:
        """Everything ready to use; the schema is upgraded (after a backup) before anything reads it."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        log_file = configure_logging(settings.log_dir, settings.log_level, console=log_to_console)
        logger.info("CoderAI Desktop %s, data in %s", __version__, settings.data_dir)
        engine = create_engine(settings.database_url)
        try:
            migration = upgrade_database(engine, settings.backup_dir)
        except OperationalError as error:
            engine.dispose()
            where = engine.url.render_as_string(hide_password=True)
            raise CoderAIError(
                f"Cannot open the database at {where}: {error.orig}. Check that the server is running and "
                "the address is right (--db-url or CODERAI_DB_URL), or that the data folder is writable."
            ) from error
        except BaseException:
            engine.dispose()
            raise
        database = Database(engine)
        return cls(
            settings=settings,
            database=database,
            accounts=AccountService(database, settings.login_failure_delay),
            secrets=SecretStore(),
            migration=migration,
            log_file=log_file,
            parsers=ParserPool(
                PoolLimits(settings.import_workers, settings.parse_timeout_seconds, settings.parse_memory_mb)
            ),
        )

    def projects(self, user: UserSession) -> ProjectService:
        return ProjectService(self.database, user, self.settings.workspace_store(user.workspace_id))

    def documents(self, user: UserSession) -> DocumentService:
        return DocumentService(self.database, user, self.settings, self.parsers)

    def providers(self, user: UserSession) -> ProviderService:
        return ProviderService(self.database, user, self.secrets)

    def jobs(self, user: UserSession) -> JobService:
        return JobService(self.database, user, self.settings, self.providers(user), self.documents(user))

    def exports(self, user: UserSession) -> ExportService:
        return ExportService(self.database, user)

    def database_location(self) -> str:
        """Where the data is, for people: the file path, or the server URL without its password."""
        if self.database.is_sqlite:
            return str(self.database.engine.url.database)
        return self.database.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.parsers.close()
        self.database.close()
        close_logging()
