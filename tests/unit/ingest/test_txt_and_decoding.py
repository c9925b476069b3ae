"""Plain text: byte-order marks, UTF-8 and UTF-16, legacy encodings, newlines and control characters."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.decoding import declared_charset, decode
from coderai_desktop.ingest.parsed import ReadFailure
from coderai_desktop.ingest.readers import txt
from tests.fakes import documents
from tests.unit.ingest.helpers import read_one

PORTUGUESE = (
    "A política de educação pública no Brasil e em Portugal: análise das ações do ministério, "
    "da participação dos municípios e das famílias. Não há solução fácil; é preciso coordenação."
)
JAPANESE = "日本の教育政策について、文部科学省は新しい方針を発表しました。地方自治体と学校の協力が重要です。"
CHINESE = "臺灣的教育政策由教育部負責，地方政府與學校合作推動改革，家長也積極參與。"
RUSSIAN = (
    "Министерство образования объявило о новой политике в области школьного образования. "
    "Родители и учителя обсуждают изменения."
)


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("utf-32-le", "utf-32-le")],
)
def test_a_byte_order_mark_decides_and_is_removed(tmp_path: Path, encoding: str, reported: str) -> None:
    path = documents.text_file(tmp_path, "bom.txt", PORTUGUESE, encoding=encoding, bom=True)

    document = read_one(txt.read, path)

    assert (document.text, document.encoding) == (PORTUGUESE, reported)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (PORTUGUESE, "utf-8"),
        (RUSSIAN, "utf-8"),
        ("Plain English notes.", "utf-16-le"),
        (PORTUGUESE, "utf-16-be"),
    ],
)
def test_unicode_without_a_byte_order_mark(tmp_path: Path, text: str, encoding: str) -> None:
    document = read_one(txt.read, documents.text_file(tmp_path, "plain.txt", text, encoding=encoding))

    assert (document.text, document.encoding) == (text, encoding)
    assert document.warnings == []


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (PORTUGUESE, "latin-1"),
        (PORTUGUESE + " – “aspas”", "cp1252"),
        (JAPANESE, "shift_jis"),
        (CHINESE, "big5"),
        (RUSSIAN, "mac_cyrillic"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8_r"),
    ],
)
def test_legacy_encodings_are_detected(tmp_path: Path, text: str, encoding: str) -> None:
    document = read_one(txt.read, documents.text_file(tmp_path, "legacy.txt", text, encoding=encoding))

    assert document.text == text


def test_iso_2022_jp_is_detected(tmp_path: Path) -> None:
    # ISO-2022-JP is 7-bit, so it would pass for UTF-8 (pure ASCII) but for its escape sequences.
    path = documents.text_file(tmp_path, "mail.txt", JAPANESE, encoding="iso2022_jp")

    assert read_one(txt.read, path).text == JAPANESE


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_newlines_become_unix_newlines(tmp_path: Path, newline: str) -> None:
    text = "First line.\nSecond line.\n\nNew paragraph."
    path = documents.text_file(tmp_path, "lines.txt", text, newline=newline)

    assert read_one(txt.read, path).text == text


def test_control_characters_are_removed_and_tabs_kept(tmp_path: Path) -> None:
    path = documents.text_file(tmp_path, "control.txt", "Name\x00:\tAna\x07 Souza\x1b\x0c\nAge\x7f:\t31")

    assert read_one(txt.read, path).text == "Name:\tAna Souza\nAge:\t31"


def junk(seed: int) -> bytes:
    rng = random.Random(seed)
    return rng.randbytes(rng.choice([1, 7, 300, 5000]))


@pytest.mark.parametrize(
    "data",
    [b"\x80", bytes(range(256)) * 4, b"\x81\x8d\x8f\x90\x9d" * 50, b"\x1b$B\x1b(" * 20]
    + [junk(seed) for seed in range(40)],
)
def test_decode_never_fails_with_anything_but_a_read_failure(data: bytes) -> None:
    try:
        text, encoding, warnings = decode(data)
    except ReadFailure as failure:
        assert failure.problem is DocumentProblem.UNREADABLE_FORMAT
    else:
        assert isinstance(text, str) and encoding and isinstance(warnings, list)


def test_a_declared_charset_is_used_when_it_fits() -> None:
    data = "Ωμέγα και άλφα: ο προϋπολογισμός του δήμου.".encode("iso8859_7")

    assert decode(data, "iso8859-7")[:2] == ("Ωμέγα και άλφα: ο προϋπολογισμός του δήμου.", "iso8859-7")


@pytest.mark.parametrize(
    ("head", "charset"),
    [
        (b'<meta charset="Shift_JIS">', "shift_jis"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">', "cp1251"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?>', "iso8859-1"),
        (b'<meta charset="no-such-charset">', None),
        (b"<p>no declaration</p>", None),
    ],
)
def test_declared_charset(head: bytes, charset: str | None) -> None:
    assert declared_charset(head) == charset
