"""Harmless UI state (window geometry, last login name, last project) in an INI file in the data folder.

Never a password or key: those go through auth/.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings


class UiState:
    def __init__(self, path: Path):
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def last_login(self) -> str:
        return str(self._settings.value("login/last", "") or "")

    @last_login.setter
    def last_login(self, name: str) -> None:
        self._settings.setValue("login/last", name)

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
