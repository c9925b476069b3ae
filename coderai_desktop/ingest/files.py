"""Finding the files to import, fingerprinting them, and keeping a copy in the workspace store."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from coderai_desktop.domain.enums import DocumentFormat
from coderai_desktop.ingest.formats import classify, is_hidden
from coderai_desktop.regular_files import open_regular

BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Candidate:
    path: Path
    kind: DocumentFormat


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def collect(paths: Iterable[Path]) -> tuple[list[Candidate], list[Skipped]]:
    """Files to read (folders recursively, in name order) and files passed over, with the reason."""
    candidates: list[Candidate] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()

    def consider(path: Path) -> None:
        resolved = path.resolve()
        if resolved in seen:
            return
        seen.add(resolved)
        kind = classify(path)
        if isinstance(kind, DocumentFormat):
            candidates.append(Candidate(path, kind))
        else:
            skipped.append(Skipped(path, kind))

    for given in paths:
        if not os.path.lexists(given):
            skipped.append(Skipped(given, "there is no such file or folder"))
        elif given.is_dir():
            for folder, folders, files in os.walk(given, followlinks=False):
                base = Path(folder)
                hidden = sorted(name for name in folders if is_hidden(base / name))
                skipped.extend(Skipped(base / name, "hidden or system folder") for name in hidden)
                folders[:] = sorted(name for name in folders if name not in hidden)
                for name in sorted(files):
                    path = base / name
                    if is_hidden(path):
                        skipped.append(Skipped(path, "hidden or system file"))
                    elif (problem := not_a_file(path)) is not None:
                        skipped.append(Skipped(path, problem))
                    else:
                        consider(path)
        elif (problem := not_a_file(given)) is not None:
            skipped.append(Skipped(given, problem))
        else:
            consider(given)
    return candidates, skipped


def not_a_file(path: Path) -> str | None:
    """Why `path` cannot be imported as a file (a pipe, a device, a broken link...), or None if it can.

    Reading a named pipe or a device such as /dev/zero never ends, and its size says nothing."""
    try:
        mode = path.stat().st_mode  # through links: a link to a device is a device
    except OSError as error:
        if os.path.islink(path):
            return "a link to something that does not exist"
        return f"cannot be read from disk: {error.strerror or error}"
    if stat.S_ISREG(mode):
        return None
    kinds = {stat.S_ISFIFO: "a named pipe", stat.S_ISCHR: "a device", stat.S_ISBLK: "a device"}
    kind = next((name for test, name in kinds.items() if test(mode)), "not a file")
    return f"{kind}, not a regular file: only files and folders can be imported"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as stream:  # a file swapped for a pipe since it was listed fails at once
        while block := stream.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def stored_path(folder: Path, sha256: str, original: Path) -> Path:
    """Copies are named by their content, so equal files share one and an import never overwrites another."""
    return folder / f"{sha256}{original.suffix.lower()}"


def store_copy(path: Path, folder: Path, sha256: str) -> Path:
    target = stored_path(folder, sha256, path)
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".importing-")
    os.close(handle)
    try:
        shutil.copyfile(path, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
