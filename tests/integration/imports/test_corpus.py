"""The shared corpus of tricky real-world files (../shared/corpus, described by its MANIFEST.csv): every
file ends READY or FAILED with a reason, and where the manifest says what a reader must find, it is found.

The corpus is imported once for the module (about 15 s, most of it OCR of the scanned Russian form).
Without Tesseract (run with TESSDATA_PREFIX pointing at an empty folder to check), the files that need OCR
are held to the documented behaviour instead: a scan fails with the scanned-document message, and a garbled
text layer is kept with its warning.
"""

from __future__ import annotations

import asyncio
import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import DocumentProblem, DocumentStatus
from coderai_desktop.ingest.pool import ParserPool, PoolLimits
from coderai_desktop.ingest.readers import ocr
from coderai_desktop.ingest.report import ImportReport
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.persistence.tables import Document
from tests.integration.imports.helpers import rows

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"  # ../shared beside the repository
MANIFEST = CORPUS / "MANIFEST.csv"
ENTRIES = list(csv.DictReader(MANIFEST.open(encoding="utf-8"))) if MANIFEST.is_file() else []
PASSWORDS = {"issue6010_2_aes256_utf8pw.pdf": "æøå"}  # the manifest gives it
QUICK_SECONDS = 5.0  # pathological files must end fast, far inside the per-file time limit
OCR = ocr.available()
OCR_RUSSIAN = OCR and "rus" in ocr.installed_languages()

pytestmark = pytest.mark.skipif(not ENTRIES, reason=f"no corpus at {CORPUS}")

READY, FAILED = DocumentStatus.READY, DocumentStatus.FAILED


@dataclass(frozen=True)
class Expect:
    """What the manifest's expected_behaviour asks of one file. status None: READY or FAILED will do."""

    status: DocumentStatus | None = READY
    found: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    warning: str | None = None  # a warning containing this, when the document is READY
    problem: DocumentProblem | None = None
    message: str | None = None  # what the error message says, when the document FAILED
    counts: dict[str, int] = field(default_factory=dict)
    words: bool = True  # False: READY with no words (a garbled text layer kept, flagged, when OCR is missing)
    quick: bool = False


EXPECTED: dict[str, Expect] = {
    "tracemonkey.pdf": Expect(found=("Trace-based Just-in-Time Type Specialization for Dynamic Languages",)),
    "xref_command_missing.pdf": Expect(status=None, warning="repaired"),
    "Pages-tree-refs_circular.pdf": Expect(status=None, warning="damaged", quick=True),
    "bug1980958_xref_slots.pdf": Expect(status=FAILED, quick=True),  # no text: NO_TEXT or DAMAGED
    "poppler-742-0-fuzzed.pdf": Expect(status=FAILED, problem=DocumentProblem.DAMAGED),
    "issue6010_2_aes256_utf8pw.pdf": Expect(found=("Issue 6010",)),  # after the second pass, with password
    "issue7229_scanned_russian_form.pdf": (
        Expect(found=("Диагностическая", "2008") if OCR_RUSSIAN else (), warning="OCR")
        if OCR
        else Expect(
            status=FAILED,
            problem=DocumentProblem.NEEDS_OCR,
            message="Scanned document without a text layer; install Tesseract to read it",
        )
    ),
    "xfa_filled_imm1344e.pdf": Expect(warning="XFA", absent=("Please wait", "not eventually replaced")),
    "160F-2019_belgian_tax_form_fr.pdf": Expect(found=("modèle 160", "période du")),
    "noembed-sjis.pdf": Expect(found=("あいうえお",)),
    "ArabicCIDTrueType.pdf": Expect(found=("انواع الخطوط العربية",), absent=("\ufe8d", "\ufedf")),
    # Read again by OCR; without Tesseract the garbage is kept (it has no words), flagged so nobody trusts it.
    "issue5138_thai_broken_tounicode.pdf": (
        Expect(warning="garbled", absent=("«“√ “√«‘™“°“√",))
        if OCR
        else Expect(warning="Installing Tesseract", found=("«“√ “√«‘™“°“√",), words=False)
    ),
    "pr20043_rotate270_word.pdf": Expect(found=("I am a lowly PDF file created in Microsoft Word 2016.",)),
    "copy_paste_ligatures.pdf": Expect(found=("fi", "ffl", "st"), absent=("ﬁ", "ﬂ", "ﬀ", "ﬃ", "ﬄ", "ﬅ", "ﬆ")),
    "truncated62886.docx": Expect(status=None, warning="damaged"),
    "ExternalEntityInText_XXE.docx": Expect(
        found=("Here should not be the POI web site",), absent=("<", "Apache", "root:")
    ),
    "Bug54771a_sdt_in_table.docx": Expect(found=("Test Subtitle", "Test User")),
    "FieldCodes.docx": Expect(found=("ANTONI", "16 June 2010"), absent=("MERGEFORMAT", "AUTHOR")),
    "bib-chernigovka_russian_realworld.docx": Expect(found=("Большечерниговская районная библиотека",)),
    "utf8-bom.docx": Expect(found=("This XML has a byte order mark.",)),
    "footnotes.docx": Expect(found=("Ouch.", "A tachyon walks into a bar. Fin.")),
    "hdr-header-footer.docx": Expect(found=("Header for section-1", "Footer for section 1")),
    "qq_declares-gb2312_but-utf8.html": Expect(found=("DeepMind新电脑已可利用记忆自学",)),
    "utf16le_nobom_plane1.html": Expect(found=("Unicode Plane 1 Example", "𐌀"), absent=("\x00",)),
    "herald-sun-1_xhtml_mobile.html": Expect(found=("Angry media won’t buckle over new surveillance laws",)),
    # Hidden paragraphs (display:none, hidden) are not text: the phrase is in the visible paragraph 3 times,
    # and 9 times if the two hidden ones were read as well.
    "hidden-nodes.html": Expect(found=("Secondary header",), counts={"Stet clita kasd gubergren": 3}),
    "utf16le_bom_subtitles.txt": Expect(found=("About 2 months ago I found myself on",), absent=("\x00",)),
    "shift_jis_cr_only_rashomon.txt": Expect(found=("羅生門", "或日の暮方の事である"), absent=("\r",)),
    "latin1_portuguese.txt": Expect(found=("tão bem determinada",), absent=("tăo",)),
    "maccyrillic_russian.txt": Expect(found=("В гимназии он не был в числе первых учеников",)),
}


@dataclass
class Imported:
    report: ImportReport
    documents: dict[str, Document]
    seconds_to_read_again: dict[str, float]


async def import_corpus(context: AppContext, settings: Settings) -> Imported:
    user = await context.accounts.create_account("corpus", "correct horse battery")
    project = await context.projects(user).create_project(ProjectContext(name="Corpus", language="Russian"))
    pool = ParserPool(PoolLimits(workers=2, timeout_seconds=120, memory_mb=3072))
    try:
        documents = DocumentService(context.database, user, settings, pool)
        report = await documents.import_paths(project.id, [CORPUS / entry["file"] for entry in ENTRIES])
        ids = {item.name: item.document_id for item in report.outcomes if item.document_id is not None}
        for name, password in PASSWORDS.items():  # the second pass: the password the manifest gives
            await documents.reparse(project.id, [ids[name]], password=password)
        timings = {}
        for name in (name for name, expect in EXPECTED.items() if expect.quick):
            started = time.monotonic()
            await documents.reparse(project.id, [ids[name]])
            timings[name] = time.monotonic() - started
    finally:
        pool.close()
    return Imported(report, {row.file_name: row for row in rows(context, user.workspace_id)}, timings)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus") / "data", ocr_enabled=True)
    context = AppContext.open(settings)
    try:
        yield asyncio.run(import_corpus(context, settings))
    finally:
        context.close()


def test_every_manifest_file_has_explicit_expectations() -> None:
    assert sorted(Path(entry["file"]).name for entry in ENTRIES) == sorted(EXPECTED)


@pytest.mark.parametrize("entry", ENTRIES, ids=[Path(entry["file"]).name for entry in ENTRIES])
def test_each_file_is_read_or_fails_with_a_reason(imported: Imported, entry: dict[str, str]) -> None:
    name = Path(entry["file"]).name
    expect = EXPECTED[name]
    document = imported.documents[name]
    where = f"{name} ({entry['category']}): {document.status} {document.error_message or ''}"

    assert document.status in (READY, FAILED), where  # never left UPLOADED or PARSED
    assert document.size_bytes == int(entry["bytes"]) and document.sha256 == entry["sha256"]
    if expect.status is not None:
        assert document.status is expect.status, where
    if document.status is FAILED:
        assert document.error_message and document.error_message.strip(), where
        assert document.problem is not None
        if expect.problem is not None:
            assert document.problem is expect.problem, where
        if expect.message is not None:
            assert expect.message in document.error_message, where
        return
    text = " ".join((document.text or "").split())  # page and line breaks fall anywhere in a title
    assert text and document.chunk_count >= 1
    assert bool(document.word_count) is expect.words, where
    for wanted in expect.found:
        assert wanted in text, f"{name}: {wanted!r} not found in {text[:300]!r}"
    for unwanted in expect.absent:
        assert unwanted not in (document.text or ""), f"{name}: {unwanted!r} found"
    for phrase, times in expect.counts.items():
        assert text.count(phrase) == times, f"{name}: {phrase!r}"
    if expect.warning is not None:
        assert any(expect.warning in warning for warning in document.warnings), (name, document.warnings)


@pytest.mark.parametrize("name", [name for name, expect in EXPECTED.items() if expect.quick])
def test_pathological_files_end_quickly(imported: Imported, name: str) -> None:
    assert imported.seconds_to_read_again[name] < QUICK_SECONDS
    assert imported.documents[name].problem is not DocumentProblem.TIMED_OUT


def test_the_import_reports_every_file_once(imported: Imported) -> None:
    assert sorted(item.name for item in imported.report.outcomes) == sorted(EXPECTED)
    assert all(item.detail for item in imported.report.outcomes)
