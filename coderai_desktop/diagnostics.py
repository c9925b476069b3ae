"""The problem report a lab can send: the recent logs, versions, the platform, the provider settings (never
a key) and the database's migration state, in one zip. `coderai diagnostics` and Help > Report a problem
build it the same way; every byte goes through the log's masking, and nothing is sent anywhere: the person
saves the zip and can read it first."""

from __future__ import annotations

import importlib.metadata
import locale
import os
import platform
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from coderai_desktop import __version__
from coderai_desktop.auth.secrets import SecretStore
from coderai_desktop.config import Settings
from coderai_desktop.domain.errors import StorageError
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.formatting import file_size
from coderai_desktop.logging_setup import LOG_FILE_NAME, redact
from coderai_desktop.persistence.engine import normalise_url, read_only_connection, sqlite_path
from coderai_desktop.persistence.migrate import MIGRATIONS_DIR, current_revision

if TYPE_CHECKING:
    from coderai_desktop.llm.provider_service import ProviderService

SUMMARY_NAME = "summary.txt"
# The newest logs first, this much in all: the five rotated files of 2 MB and the current one do not fit.
LOGS_CAP_BYTES = 8_000_000
LIBRARIES = (
    "PySide6-Essentials",
    "qasync",
    "langchain",
    "langchain-core",
    "langchain-openai",
    "openai",
    "httpx",
    "SQLAlchemy",
    "alembic",
    "psycopg",
    "pydantic",
    "PyMuPDF",
    "matplotlib",
    "pandas",
    "pyreadstat",
    "openpyxl",
    "keyring",
    "tenacity",
)
_LOG_FILE = re.compile(rf"{re.escape(LOG_FILE_NAME)}(?:\.(\d+))?")
Facts = dict[str, str]


@dataclass(frozen=True)
class ProviderPart:
    """The provider settings to include (None: none) and a sentence saying whose they are, or why not."""

    settings: ProviderSettings | None
    note: str


@dataclass(frozen=True)
class ProblemReport:
    summary: str
    files: dict[str, bytes]  # name in the zip -> masked content

    def save(self, path: Path) -> Path:
        """Write the zip (".zip" is added to a name without it), whole or not at all; return its path."""
        path = path if path.suffix.lower() == ".zip" else path.with_name(f"{path.name}.zip")
        try:
            self._write(path)
        except OSError as error:
            raise StorageError(
                f"The problem report cannot be written to {path} ({error.strerror or error}). "
                "Choose another folder."
            ) from error
        return path

    def _write(self, path: Path) -> None:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".part")
        temporary = Path(name)
        try:
            with os.fdopen(handle, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
                for member, content in self.files.items():
                    archive.writestr(member, content)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


def default_report_name() -> str:
    return f"coderai-diagnostics-{datetime.now():%Y%m%d-%H%M%S}.zip"


async def workspace_provider(providers: ProviderService, login: str) -> ProviderPart:
    try:
        return ProviderPart(await providers.settings(), f"Those of the workspace of {login}.")
    except Exception as error:  # a report is most wanted when things fail: say so and go on
        return ProviderPart(None, f"Not included: they could not be read ({type(error).__name__}: {error}).")


def build_report(settings: Settings, provider: ProviderPart) -> ProblemReport:
    """Reads the logs and the database (for reading only): run it off the GUI thread."""
    sections = {
        "Versions": versions(),
        "Platform": platform_facts(),
        "Database": database_state(settings.database_url),
        "Provider settings": {"Note": provider.note, **provider_facts(provider.settings)},
        "Settings": settings_facts(settings),
    }
    summary = redact(render(datetime.now().astimezone(), sections))
    return ProblemReport(summary, {SUMMARY_NAME: summary.encode(), **recent_logs(settings.log_dir)})


def render(made: datetime, sections: dict[str, Facts]) -> str:
    lines = [f"CoderAI Desktop problem report, made {made.isoformat(timespec='seconds')}", ""]
    for title, facts in sections.items():
        width = max(map(len, facts), default=0)
        lines += [title, *(f"  {name.ljust(width)}  {value}" for name, value in facts.items()), ""]
    return "\n".join(lines)


def versions() -> Facts:
    found = {
        "CoderAI Desktop": __version__,
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
    }
    if (qt := sys.modules.get("PySide6.QtCore")) is not None:  # the GUI's Qt; the CLI does not load it
        found["Qt"] = qt.qVersion()
    for name in LIBRARIES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "unknown (no package metadata)"
    return found


def platform_facts() -> Facts:
    from coderai_desktop.ingest.readers.ocr import installed_languages  # PyMuPDF: only for a report

    languages = sorted(installed_languages())
    return {
        "System": platform.platform(),
        "Installer build": "yes" if getattr(sys, "frozen", False) else "no (Python package)",
        "Encoding": f"{locale.getpreferredencoding(False)} (file names: {sys.getfilesystemencoding()})",
        "Keyring": SecretStore.backend_name(),
        "Tesseract (OCR)": ", ".join(languages) if languages else "not installed",
    }


def database_state(url: str) -> Facts:
    """Engine, location (never a password) and schema revision against this version's, read without
    changing anything: no file is created, no migration is run."""
    address = make_url(normalise_url(url))
    path = sqlite_path(url)
    state = {
        "Engine": f"{address.get_backend_name()} ({address.get_driver_name()})",
        "Location": str(path) if path else address.render_as_string(hide_password=True),
    }
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    if path is not None and not path.exists():
        state["Schema"] = f"no database file yet (this version's schema: {head})"
        return state
    if path is not None:
        state["Size"] = file_size(path.stat().st_size)
    try:
        current = _revision(url, path)
    except Exception as error:  # what fails here is what the report is for
        state["Schema"] = f"cannot be read ({type(error).__name__}: {error})"
        return state
    if current == head:
        verdict = "up to date"
    elif current is None:
        verdict = "empty: the schema is created at the next start"
    elif current in {revision.revision for revision in script.walk_revisions()}:
        verdict = "older: upgraded at the next start, after a backup"
    else:
        verdict = "unknown to this version: a newer version of CoderAI Desktop wrote it"
    state["Schema"] = f"{current or 'none'} (this version's: {head}): {verdict}"
    return state


def _revision(url: str, path: Path | None) -> str | None:
    if path is not None:
        engine = sa.create_engine("sqlite://", creator=lambda: read_only_connection(path))
    else:
        engine = sa.create_engine(normalise_url(url), connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as connection:
            return current_revision(connection)
    finally:
        engine.dispose()


def provider_facts(settings: ProviderSettings | None) -> Facts:
    """Keys live in the keyring, not in the settings: there is none to leave out."""
    if settings is None:
        return {}
    return {name: _text(value) for name, value in settings.model_dump(mode="json").items()}


def settings_facts(settings: Settings) -> Facts:
    facts = {name: _text(value) for name, value in settings.as_text().items()}
    if settings.db_url:
        facts["db_url"] = make_url(normalise_url(settings.db_url)).render_as_string(hide_password=True)
    return facts


def recent_logs(log_dir: Path, cap: int = LOGS_CAP_BYTES) -> dict[str, bytes]:
    """The current log and the rotated ones, newest first, `cap` bytes in all: the first that does not
    fit whole keeps its newest lines, and the older ones are left out."""
    numbered = [
        (int(match[1] or 0), path)
        for path in log_dir.glob(f"{LOG_FILE_NAME}*")
        if (match := _LOG_FILE.fullmatch(path.name))
    ]
    logs: dict[str, bytes] = {}
    for _number, path in sorted(numbered):
        data, cut = _tail(path, cap)
        if data:
            logs[f"logs/{path.name}"] = redact(data.decode("utf-8", errors="replace")).encode()
        cap -= len(data)
        if cut:
            break
    return logs


def _tail(path: Path, limit: int) -> tuple[bytes, bool]:
    """The file, or its last whole lines that fit in `limit` bytes; and whether it was cut."""
    with path.open("rb") as file:
        size = file.seek(0, os.SEEK_END)
        file.seek(max(0, size - limit))
        data = file.read(limit)
    if size <= limit:
        return data, False
    _part_of_a_line, _newline, lines = data.partition(b"\n")
    return lines, True


def _text(value: object) -> str:
    return "(not set)" if value is None or value == "" else str(value)
