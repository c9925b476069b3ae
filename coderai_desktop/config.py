"""Settings: where data lives and how the app behaves. From CODERAI_* variables, then command-line flags.

No secret is ever a setting: API keys live in the OS keyring (auth/secrets.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "CoderAI Desktop"
APP_AUTHOR = "CoderAI"
DATABASE_FILE_NAME = "coderai.sqlite3"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CODERAI_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    # Empty means the SQLite file in data_dir; a postgresql:// URL points at a lab server.
    db_url: str = ""
    log_level: str = "INFO"
    # Seconds to wait after a wrong password, doubling with each further failure (up to 8x).
    login_failure_delay: float = 1.0

    # Reading documents: each file is parsed in a worker process with these limits.
    import_workers: int = Field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
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

    @field_validator("data_dir")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

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
