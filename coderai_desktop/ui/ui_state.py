"""Harmless UI state (window geometry, last login name, last project) in an INI file in the data folder.

Never a password or key: those go through auth/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

DEFAULT_PORT = 5432


@dataclass(frozen=True)
class LabPlace:
    """Where a member last logged in to a lab database (the password is never kept here)."""

    host: str = ""
    port: int = DEFAULT_PORT
    database: str = ""
    member: str = ""


class UiState:
    def __init__(self, path: Path):
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def last_login(self) -> str:
        return str(self._settings.value("login/last", "") or "")

    @last_login.setter
    def last_login(self, name: str) -> None:
        self._settings.setValue("login/last", name)

    @property
    def lab_mode(self) -> bool:
        """Whether the last login was to a lab database (else to this computer's accounts)."""
        return str(self._settings.value("login/place", "")) == "lab"

    @lab_mode.setter
    def lab_mode(self, lab: bool) -> None:
        self._settings.setValue("login/place", "lab" if lab else "local")

    @property
    def last_lab(self) -> LabPlace:
        value = self._settings.value
        port = str(value("lab/port", "") or "")
        return LabPlace(
            host=str(value("lab/host", "") or ""),
            port=int(port) if port.isdigit() else DEFAULT_PORT,
            database=str(value("lab/database", "") or ""),
            member=str(value("lab/member", "") or ""),
        )

    @last_lab.setter
    def last_lab(self, place: LabPlace) -> None:
        for key, value in (
            ("host", place.host),
            ("port", place.port),
            ("database", place.database),
            ("member", place.member),
        ):
            self._settings.setValue(f"lab/{key}", value)

    def last_project(self, login: str) -> int | None:
        value = self._settings.value(f"projects/{login}/last")
        return int(value) if value not in (None, "") else None

    def set_last_project(self, login: str, project_id: int | None) -> None:
        self._settings.setValue(f"projects/{login}/last", project_id if project_id is not None else "")

    def geometry(self, key: str) -> QByteArray | None:
        value = self._settings.value(f"geometry/{key}")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, key: str, value: QByteArray) -> None:
        self._settings.setValue(f"geometry/{key}", value)

    def sync(self) -> None:
        self._settings.sync()
