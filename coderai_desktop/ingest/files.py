"""Finding the files to import, fingerprinting them, and keeping a copy in the workspace store."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from coderai_desktop.domain.enums import DocumentFormat
from coderai_desktop.ingest.formats import classify, is_hidden

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
        if not given.exists():
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
                    elif path.is_file():
                        consider(path)
        else:
            consider(given)
    return candidates, skipped


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
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
