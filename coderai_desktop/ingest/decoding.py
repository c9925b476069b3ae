"""Bytes to text: byte-order mark, UTF-16 without one, a declared charset that is right, UTF-8, then
detection (chardet) for legacy encodings such as Latin-1, cp1252, Shift-JIS, ISO-2022-JP, Big5 or
MacCyrillic."""

from __future__ import annotations

import codecs
import re

import chardet

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.parsed import ReadFailure

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 64 * 1024
# Detection below this confidence is still used when the bytes decode cleanly; a warning says so.
_CONFIDENT = 0.3


def decode(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    """The text, the encoding that produced it, and warnings for a person to check."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), encoding, []
    if (utf16 := _utf16_without_bom(data)) is not None:
        return data.decode(utf16, errors="replace"), utf16, []
    # ISO-2022-JP is 7-bit, so it passes as UTF-8: its escape sequences give it away.
    escaped = b"\x1b$" in data[:_SAMPLE] or b"\x1b(" in data[:_SAMPLE]
    if escaped and (text := _strict(data, "iso2022_jp")) is not None:
        return text, "iso2022_jp", []
    if _is_utf8(data):
        # Valid UTF-8 with non-ASCII bytes is almost never another encoding by chance: it beats a
        # declaration, which web pages often get wrong.
        return data.decode("utf-8"), "utf-8", []
    if declared and (text := _strict(data, declared)) is not None:
        return text, codecs.lookup(declared).name, []
    guess = chardet.detect(data[:_SAMPLE] if len(data) > _SAMPLE else data)
    guessed = guess.get("encoding")
    if guessed and (text := _strict(data, guessed)) is not None:
        warnings = []
        if (guess.get("confidence") or 0) < _CONFIDENT:
            warnings.append(
                f"The text encoding was guessed as {guessed}; check that accented letters read right."
            )
        return text, codecs.lookup(guessed).name, warnings
    if guessed:
        text = data.decode(guessed, errors="replace")
        return text, codecs.lookup(guessed).name, [f"Some characters could not be decoded as {guessed}."]
    raise ReadFailure(DocumentProblem.UNREADABLE_FORMAT, "The file is not text in any encoding we recognise.")


def declared_charset(head: bytes) -> str | None:
    """The charset an HTML/XML head declares (meta charset, http-equiv or XML declaration), if known."""
    match = re.search(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", head[:4096], re.I)
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Text in UTF-16 has a zero byte in every other position for Latin script."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
