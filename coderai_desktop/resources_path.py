"""Where the shipped resources are: inside the package (wheel, PyInstaller bundle) or beside it (checkout)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    # pyproject.toml and coderai.spec both place resources/ at coderai_desktop/resources.
    for candidate in (_PACKAGE / "resources", _PACKAGE.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("The application's resources folder is missing; reinstall CoderAI Desktop.")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
