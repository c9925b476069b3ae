"""Tesseract language codes for the document languages a project can name."""

from __future__ import annotations

_CODES = {
    "english": "eng", "french": "fra", "german": "deu", "spanish": "spa", "portuguese": "por",
    "italian": "ita", "dutch": "nld", "russian": "rus", "ukrainian": "ukr", "polish": "pol",
    "czech": "ces", "swedish": "swe", "norwegian": "nor", "danish": "dan", "finnish": "fin",
    "greek": "ell", "turkish": "tur", "arabic": "ara", "hebrew": "heb", "persian": "fas",
    "hindi": "hin", "chinese": "chi_sim", "japanese": "jpn", "korean": "kor", "thai": "tha",
    "vietnamese": "vie", "indonesian": "ind",
}  # fmt: skip


def ocr_languages(language: str) -> tuple[str, ...]:
    """The project's language first, then English, which documents so often mix in."""
    code = _CODES.get(language.strip().lower(), "eng")
    return (code,) if code == "eng" else (code, "eng")
