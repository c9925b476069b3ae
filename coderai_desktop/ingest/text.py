"""Text clean-up shared by the readers, and the checks that tell real text from garbage."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")
# Ligatures (ﬁ) and Arabic presentation forms are glyph shapes, not letters: NFKC gives the letters.
# Applied to these ranges only, because NFKC elsewhere changes meaning (10² would become 102).
_PRESENTATION_FORMS = re.compile(r"[\ufb00-\ufb4f\ufb50-\ufdff\ufe70-\ufefe]+")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Unix newlines, no control characters, letters instead of presentation glyphs, tidy blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _PRESENTATION_FORMS.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip()


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def looks_garbled(text: str, minimum_characters: int = 40) -> bool:
    """True for text made mostly of symbols, replacement characters or private-use code points,
    which is what a PDF with a broken font encoding yields ('«“√ “√«‘™“°“√')."""
    visible = [char for char in text if not char.isspace()]
    if len(visible) < minimum_characters:
        return False
    wordlike = sum(1 for char in visible if char.isalnum())
    bad = sum(1 for char in visible if char == "\ufffd" or unicodedata.category(char) in ("Co", "Cn"))
    return wordlike / len(visible) < 0.5 or bad / len(visible) > 0.05
