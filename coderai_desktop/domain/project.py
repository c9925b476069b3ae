"""What the app shows of a project: its context, status and size; and what a project name may be."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import ProjectStatus

# How a person names a project: its id, or its name or "#7" (ProjectRepository.resolve).
ProjectRef = int | str


class ProjectSummary(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    id: int
    context: ProjectContext
    status: ProjectStatus
    variable_count: int
    document_count: int
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return self.context.name


@dataclass(frozen=True)
class CodebookVersionInfo:
    """One saved codebook: its number, why it was saved, by whom and when."""

    version: int
    reason: str
    author: str | None  # the login (None once the account is deleted)
    created_at: datetime
    variable_count: int


# Characters that reorder the text around them (U+202E shows "txt.exe" as "exe.txt") while invisible:
# never in a name, escaped in the command line's tables.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED_CHARACTERS = {"\n": "a line break", "\r": "a line break", "\t": "a tab", "\0": "a NUL character"}
# `#7` always means the project with id 7 (see ProjectRepository.resolve), so no name may read like it.
ID_REFERENCE = re.compile(r"#([0-9]+)")


def project_name_problem(name: str) -> str | None:
    """Why `name` cannot name a project, or None when it can.

    A name is one line of visible text: it is shown in tables and typed on command lines. Any script
    (accents, CJK, emoji, joiners inside emoji and Persian words) is fine.
    """
    for character in name:
        category = unicodedata.category(character)
        if category in ("Cc", "Zl", "Zp"):
            return f"{name!r} contains {_describe(character)}: a project name is one line of text"
        if category == "Cs":
            return f"{name!r} contains bytes that are not text (not UTF-8)"
        if character in BIDI_CONTROLS:
            return f"{name!r} contains {_describe(character)}, which reorders the text around it unseen"
    if all(map(_invisible, name)):
        return f"{name!r} has no visible character"
    if _invisible(name[0]) or _invisible(name[-1]):
        return f"{name!r} starts or ends with a space or an invisible character"
    if ID_REFERENCE.fullmatch(name):
        return f"{name!r} would read as the id of a project; add a word"
    return None


def name_key(name: str) -> str:
    """What two names that read alike share: case and compatibility forms (ﬁ, full-width letters) aside."""
    return unicodedata.normalize("NFKC", name).casefold()


def _invisible(character: str) -> bool:
    return character.isspace() or unicodedata.category(character) == "Cf"


def _describe(character: str) -> str:
    if character in _NAMED_CHARACTERS:
        return _NAMED_CHARACTERS[character]
    name = unicodedata.name(character, "")
    return f"the character U+{ord(character):04X}" + (f" ({name})" if name else "")
