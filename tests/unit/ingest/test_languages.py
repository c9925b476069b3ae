"""Tesseract languages for a project's document language."""

from __future__ import annotations

import pytest

from coderai_desktop.ingest.languages import ocr_languages


@pytest.mark.parametrize(
    ("language", "codes"),
    [
        ("English", ("eng",)),
        ("russian", ("rus", "eng")),
        ("  Portuguese ", ("por", "eng")),
        ("CHINESE", ("chi_sim", "eng")),
        ("Klingon", ("eng",)),
        ("", ("eng",)),
    ],
)
def test_the_project_language_first_then_english(language: str, codes: tuple[str, ...]) -> None:
    assert ocr_languages(language) == codes
