"""Which files are imported, found how, fingerprinted and stored."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from coderai_desktop.domain.enums import DocumentFormat
from coderai_desktop.ingest.files import collect, sha256_of, store_copy
from coderai_desktop.ingest.formats import classify, is_hidden


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("report.pdf", DocumentFormat.PDF),
        ("REPORT.PDF", DocumentFormat.PDF),
        ("minutes.Docx", DocumentFormat.DOCX),
        ("macro.docm", DocumentFormat.DOCX),
        ("page.HTM", DocumentFormat.HTML),
        ("notes.md", DocumentFormat.TXT),
        ("survey.CSV", DocumentFormat.CSV),
        ("survey.xlsm", DocumentFormat.XLSX),
    ],
)
def test_supported_suffixes_in_any_case(name: str, kind: DocumentFormat) -> None:
    assert classify(Path(name)) is kind


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("old.DOC", "save it as .docx"),
        ("book.xls", ".xlsx"),
        ("scan.JPG", "put scans in a PDF"),
        ("photo.tiff", "put scans in a PDF"),
        ("archive.zip", "extract it"),
        ("program.exe", "unsupported file type (.exe)"),
        ("README", "no extension"),
    ],
)
def test_other_files_are_skipped_with_a_reason(name: str, phrase: str) -> None:
    reason = classify(Path(name))

    assert isinstance(reason, str)
    assert phrase in reason


@pytest.mark.parametrize(
    ("name", "hidden"),
    [
        (".secret.pdf", True),
        ("~$report.docx", True),
        ("Thumbs.db", True),
        (".DS_Store", True),
        ("desktop.ini", True),
        ("report.pdf", False),
        ("notes~.txt", False),
    ],
)
def test_is_hidden(tmp_path: Path, name: str, hidden: bool) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")

    assert is_hidden(path) is hidden


def make_tree(root: Path) -> None:
    for name in ["b.pdf", "a.txt", "sub/c.docx", "sub/deeper/d.html", ".git/config.txt", "~$a.docx", "x.exe"]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def test_collect_walks_folders_in_name_order(tmp_path: Path) -> None:
    make_tree(tmp_path)

    candidates, skipped = collect([tmp_path])

    assert [candidate.path.relative_to(tmp_path).as_posix() for candidate in candidates] == [
        "a.txt",
        "b.pdf",
        "sub/c.docx",
        "sub/deeper/d.html",
    ]
    assert [candidate.kind for candidate in candidates][:2] == [DocumentFormat.TXT, DocumentFormat.PDF]
    reasons = {item.path.relative_to(tmp_path).as_posix(): item.reason for item in skipped}
    assert reasons == {
        ".git": "hidden or system folder",
        "~$a.docx": "hidden or system file",
        "x.exe": "unsupported file type (.exe)",
    }


def test_collect_reports_missing_paths_and_reads_a_file_given_twice_once(tmp_path: Path) -> None:
    make_tree(tmp_path)
    missing = tmp_path / "gone.pdf"

    candidates, skipped = collect([tmp_path / "b.pdf", missing, tmp_path, tmp_path / "sub" / ".." / "b.pdf"])

    assert [candidate.path.name for candidate in candidates].count("b.pdf") == 1
    assert len(candidates) == 4
    assert [item.reason for item in skipped if item.path == missing] == ["there is no such file or folder"]


def test_sha256_of_a_file_larger_than_one_block(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(range(256)) * 10_000)  # 2.5 MB: read in several blocks

    assert sha256_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_store_copy_is_content_addressed_and_never_overwrites(tmp_path: Path) -> None:
    first, second = tmp_path / "First.PDF", tmp_path / "second.pdf"
    first.write_bytes(b"%PDF first")
    second.write_bytes(b"%PDF second")
    store = tmp_path / "store"

    stored = store_copy(first, store, sha256_of(first))
    again = store_copy(second, store, sha256_of(first))  # same fingerprint: the stored copy stays

    assert stored == again == store / f"{sha256_of(first)}.pdf"
    assert stored.read_bytes() == b"%PDF first"
    assert store_copy(second, store, sha256_of(second)).read_bytes() == b"%PDF second"
    assert sorted(path.name for path in store.iterdir()) == sorted(
        [f"{sha256_of(first)}.pdf", f"{sha256_of(second)}.pdf"]
    )
