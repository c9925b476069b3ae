"""The data folder is private to its owner: folders 0700, files 0600, whatever the umask.

Other accounts on a shared computer must not read the workspaces or the password hashes. Windows keeps
the user profile private already and has no Unix modes, so nothing here changes anything there.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_HAS_MODES = os.name != "nt"
# What CoderAI keeps in the data folder: a --data-dir pointed at a folder of other things leaves them be.
_OWN_FOLDERS = ("logs", "backups", "workspaces")
_OWN_FILE_PATTERNS = ("coderai*", "ui-state.ini")


def private_dir(path: Path) -> Path:
    """Create the folder owner-only (and missing parents as usual) if needed. An existing folder is
    tighten()'s business, at start-up, once the log can say so."""
    try:
        path.mkdir(parents=True)
    except FileExistsError:
        pass
    else:
        _set_mode(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Make the file owner-only, creating it empty if it does not exist. An empty file (just created by
    someone else, e.g. SQLite) had nothing to expose: only a file with content is worth a log line."""
    try:
        os.close(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        if path.stat().st_size:
            _restrict(path)
            return path
    _set_mode(path, PRIVATE_FILE)
    return path


def open_private(path: str | os.PathLike[str], flags: int) -> int:
    """An `opener` for open(): a file it creates is owner-only from its first byte (umask only removes)."""
    return os.open(path, flags, PRIVATE_FILE)


def tighten(data_dir: Path, *files: Path) -> list[Path]:
    """Restrict what earlier versions left readable to others in the data folder (and the given files,
    e.g. a database kept elsewhere, with its -wal and -shm). Returns what changed."""
    if not _HAS_MODES or not data_dir.is_dir():
        return []
    folders = [data_dir, *(data_dir / name for name in _OWN_FOLDERS)]
    candidates = [
        *folders,
        *(path for pattern in _OWN_FILE_PATTERNS for path in data_dir.glob(pattern)),
        *(path for folder in folders[1:3] for path in folder.glob("*")),
        *(Path(f"{path}{suffix}") for path in files for suffix in ("", "-wal", "-shm")),
    ]
    return [path for path in candidates if _restrict(path)]


def _restrict(path: Path) -> bool:
    """Remove group and other access (the owner's stays as it is) and log it; whether it changed."""
    if not _HAS_MODES:
        return False
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    before = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode) or not before & 0o077:
        return False
    try:
        os.chmod(path, before & 0o700)
    except OSError as error:  # a read-only disk, or a file another account owns: it stays as it is
        logger.warning("Cannot restrict the permissions of %s (%04o): %s", path, before, error.strerror)
        return False
    logger.info("Tightened permissions of %s from %04o to %04o", path, before, before & 0o700)
    return True


def _set_mode(path: Path, mode: int) -> None:
    """The exact mode of something just created: the umask may have removed what the owner needs."""
    if _HAS_MODES:
        os.chmod(path, mode)
