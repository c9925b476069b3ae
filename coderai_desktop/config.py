"""Settings: where data lives and how the app behaves. From CODERAI_* variables, then command-line flags.

No secret is ever a setting: API keys live in the OS keyring (auth/secrets.py). A plain dataclass rather
than a pydantic model: the login window needs the settings, and shows before pydantic would have loaded.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

import platformdirs

from coderai_desktop.domain.errors import InvalidInputError

APP_NAME = "CoderAI Desktop"
APP_AUTHOR = "CoderAI"
DATABASE_FILE_NAME = "coderai.sqlite3"
ENVIRONMENT_PREFIX = "CODERAI_"
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    # Empty means the SQLite file in data_dir; a postgresql:// URL points at a lab server.
    db_url: str = ""
    log_level: str = "INFO"
    # Seconds to wait after a wrong password, doubling with each further failure (up to 8x).
    login_failure_delay: float = 1.0

    # Reading documents: each file is parsed in a worker process with these limits.
    import_workers: int = field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    parse_timeout_seconds: float = 300.0
    parse_memory_mb: int = 3072
    max_file_mb: int = 1024
    max_pdf_pages: int = 5000
    ocr_enabled: bool = True
    ocr_dpi: int = 250
    # Chunking: "fit" splits a document only when it exceeds chunk_token_budget (the model's context
    # less the prompt); "classic" cuts documents over 5,000 words into ~2,500-token chunks.
    chunking: Literal["fit", "classic"] = "fit"
    chunk_token_budget: int = 100_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser())
        if self.chunking not in get_args(_hints()["chunking"]):
            raise InvalidInputError(f"The chunking setting is {self.chunking!r}; choose fit or classic.")

    @classmethod
    def from_environment(cls, **overrides: Any) -> Settings:
        """CODERAI_<SETTING> variables (any case, as on Windows), then `overrides` (command-line flags)."""
        variables = {name.upper(): value for name, value in os.environ.items()}
        found = {
            item.name: _parsed(item.name, variables[variable])
            for item in dataclasses.fields(cls)
            if (variable := ENVIRONMENT_PREFIX + item.name.upper()) in variables
        }
        return cls(**{**found, **overrides})

    def as_text(self) -> dict[str, str]:
        """Each setting in words, for a report."""
        return {name: str(value) for name, value in dataclasses.asdict(self).items()}

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / DATABASE_FILE_NAME}"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def ui_state_file(self) -> Path:
        """Window geometry, last login name and other harmless UI state."""
        return self.data_dir / "ui-state.ini"

    def workspace_store(self, workspace_id: int) -> Path:
        """Where copies of a workspace's imported files are kept."""
        return self.data_dir / "workspaces" / str(workspace_id)


# Inside a workspace's store: each project's files, and in them the copies of its imported documents.
def project_folder(workspace_store: Path, project_id: int) -> Path:
    return workspace_store / "projects" / str(project_id)


def documents_folder(workspace_store: Path, project_id: int) -> Path:
    return project_folder(workspace_store, project_id) / "documents"


@functools.cache
def _hints() -> dict[str, Any]:
    return get_type_hints(Settings)


def _parsed(name: str, text: str) -> Any:
    """A CODERAI_* variable's text as the setting's type, or an error that names the variable."""
    kind = _hints()[name]
    word = text.strip().lower()
    if kind is bool and word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    if get_origin(kind) is Literal and word in get_args(kind):
        return word
    if kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    elif kind in (str, Path):
        return kind(text)
    expected = {bool: "yes or no", int: "a whole number", float: "a number"}.get(kind) or " or ".join(
        get_args(kind)
    )
    raise InvalidInputError(f"{ENVIRONMENT_PREFIX}{name.upper()} is {text!r}: it should be {expected}.")
