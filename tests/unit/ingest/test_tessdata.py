"""Where OCR finds Tesseract's languages: TESSDATA_PREFIX first, then the folders the usual installers
use (an app opened from the Finder or the Start menu has no `tesseract` on its PATH), then PATH."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest

from coderai_desktop.ingest.readers import ocr


@pytest.fixture(autouse=True)
def no_tesseract_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def not_on_path(*_args: object) -> str:
        raise RuntimeError("No tessdata specified and Tesseract is not installed")

    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    monkeypatch.setattr(pymupdf, "get_tessdata", not_on_path)
    ocr.tessdata.cache_clear()
    yield
    ocr.tessdata.cache_clear()


def languages_in(folder: Path, *codes: str) -> Path:
    folder.mkdir(parents=True)
    for code in codes:
        (folder / f"{code}.traineddata").write_bytes(b"")
    return folder


def test_an_installer_s_folder_is_found_without_tesseract_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    languages_in(tmp_path / "empty-install")  # a folder left without languages is passed over
    languages_in(tmp_path / "tesseract" / "4.00" / "tessdata", "eng")
    newest = languages_in(tmp_path / "tesseract" / "5" / "tessdata", "eng", "deu")
    patterns = [str(tmp_path / "empty-install"), str(tmp_path / "tesseract" / "*" / "tessdata")]
    monkeypatch.setitem(ocr.KNOWN_TESSDATA, sys.platform, patterns)

    assert ocr.tessdata() == newest
    assert ocr.installed_languages() == {"eng", "deu"}
    assert ocr.available()


def test_tessdata_prefix_wins_over_the_usual_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    usual = languages_in(tmp_path / "usual", "eng")
    monkeypatch.setitem(ocr.KNOWN_TESSDATA, sys.platform, [str(usual)])
    chosen = languages_in(tmp_path / "chosen", "fra")
    monkeypatch.setenv("TESSDATA_PREFIX", str(chosen))

    assert ocr.installed_languages() == {"fra"}


def test_without_any_tesseract_ocr_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ocr.KNOWN_TESSDATA, sys.platform, [str(tmp_path / "nowhere")])

    assert ocr.tessdata() is None
    assert not ocr.available()
