"""PDF (PyMuPDF): the text of each page in reading order, filled form fields, OCR for scanned pages,
and plain words for encrypted, damaged, garbled or XFA-only files.

Runs in a worker process only: PyMuPDF is not thread-safe and holds the GIL.
"""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf
from lxml import etree

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.parsed import ParsedDocument, ReadFailure, ReadOptions
from coderai_desktop.ingest.readers import ocr
from coderai_desktop.ingest.text import looks_garbled, normalise

PAGE_SEPARATOR = "\n\n"
_XFA_DATASETS = re.compile(r"\(datasets\)\s*(\d+)\s+0\s+R")
_XFA_PLACEHOLDER = re.compile(r"please wait|not eventually replaced", re.I)
_UNCHECKED = {"", "Off", "off", "No", "False"}
_TICK_BOXES = (pymupdf.mupdf.PDF_WIDGET_TYPE_CHECKBOX, pymupdf.mupdf.PDF_WIDGET_TYPE_RADIOBUTTON)

MUPDF_ERRORS = (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase)

pymupdf.TOOLS.mupdf_display_errors(False)  # MuPDF's complaints become warnings, not stderr noise
pymupdf.TOOLS.mupdf_display_warnings(False)


def read(path: Path, options: ReadOptions) -> list[ParsedDocument]:
    try:
        document = pymupdf.open(path, filetype="pdf")
    except (pymupdf.FileDataError, pymupdf.EmptyFileError, *MUPDF_ERRORS):
        raise ReadFailure(
            DocumentProblem.DAMAGED,
            "The PDF is damaged and could not be repaired. If it opens in a PDF viewer, print it to a new PDF "
            "and import that.",
        ) from None
    with document:
        _unlock(document, options.password)
        if document.page_count == 0:
            raise ReadFailure(DocumentProblem.DAMAGED, "The PDF has no pages it could read.")
        if document.page_count > options.max_pdf_pages:
            raise ReadFailure(
                DocumentProblem.TOO_LARGE,
                f"The PDF has {document.page_count} pages, more than the {options.max_pdf_pages} allowed. "
                "Split it into parts, or raise the limit in the settings.",
            )
        return [_read_pages(document, options)]


def _unlock(document: pymupdf.Document, password: str | None) -> None:
    if not document.needs_pass:
        return
    if not password:
        raise ReadFailure(
            DocumentProblem.PASSWORD_REQUIRED,
            "Password required: this PDF is encrypted. Enter its password to read it.",
        )
    if not document.authenticate(password):
        raise ReadFailure(DocumentProblem.WRONG_PASSWORD, "The password is wrong for this PDF; try again.")


def _read_pages(document: pymupdf.Document, options: ReadOptions) -> ParsedDocument:
    warnings: list[str] = []
    if document.is_repaired:
        warnings.append("The PDF was damaged and has been repaired: check that its text is complete.")
    reader = ocr.PageReader(options) if options.ocr_enabled and ocr.available() else None
    pages: list[str] = []
    unreadable: list[int] = []
    ocr_errors: list[str] = []
    scanned = garbled = recognised = garbled_recognised = 0  # recognised: scanned pages read by OCR
    for number in range(document.page_count):
        try:
            page = document.load_page(number)
            text = page.get_text("text") + _form_fields(page)
        except MUPDF_ERRORS:
            unreadable.append(number + 1)
            pages.append("")
            continue
        if not text.strip() and _has_images(page):
            if reader is None or (recognised_text := _recognise(reader, page, ocr_errors)) is None:
                scanned += 1
            else:
                text, recognised = recognised_text, recognised + 1
        elif looks_garbled(text, minimum_characters=8):
            garbled += 1
            if reader is not None and (recognised_text := _recognise(reader, page, ocr_errors)) is not None:
                text, garbled_recognised = recognised_text, garbled_recognised + 1
        pages.append(normalise(text))
    if (xfa := _xfa_instead_of_pages(document, pages)) is not None:
        return xfa
    # Pages of images without text are a scan, not damage, even in a file MuPDF had to repair (scanners
    # often write a faulty cross-reference table): say what would read them.
    if scanned and not any(pages):
        raise ReadFailure(DocumentProblem.NEEDS_OCR, _scanned_message(ocr_errors))
    if document.is_repaired and not any(pages) and not (recognised or garbled_recognised):
        raise ReadFailure(
            DocumentProblem.DAMAGED,
            "The PDF is damaged (probably cut short) and no text could be recovered from it. Download or copy "
            "the file again.",
        )
    if unreadable and not any(pages):
        raise ReadFailure(DocumentProblem.DAMAGED, "The PDF is damaged: none of its pages could be read.")
    if unreadable:
        listed = ", ".join(map(str, unreadable[:10])) + ("…" if len(unreadable) > 10 else "")
        warnings.append(f"The PDF is damaged: page(s) {listed} could not be read and are left empty.")
    if scanned:
        warnings.append(f"{scanned} page(s) are scanned images without text; install Tesseract to read them.")
    if ocr_errors:
        warnings.append(f"OCR (Tesseract) failed on some pages: {ocr_errors[0]}")
    if garbled > garbled_recognised:
        warnings.append(
            f"The text of {garbled - garbled_recognised} page(s) looks garbled (a broken font encoding): values "
            "read from it may be wrong. Installing Tesseract lets such pages be read by OCR."
        )
    if garbled_recognised and reader is not None:
        warnings.append(
            f"The text of {garbled_recognised} page(s) looked garbled (a broken font encoding) and was read by "
            f"OCR in '{reader.language}' instead: check that this is the document's language."
        )
    if recognised:
        warnings.append(f"{recognised} page(s) were read by OCR (Tesseract): check names and numbers.")
    if reader is not None:
        warnings.extend(reader.warnings)
    return _joined(pages, warnings)


def _joined(pages: list[str], warnings: list[str]) -> ParsedDocument:
    offsets, position = [], 0
    for text in pages:
        offsets.append(position)
        position += len(text) + len(PAGE_SEPARATOR)
    return ParsedDocument(text=PAGE_SEPARATOR.join(pages), page_offsets=offsets, warnings=warnings)


def _form_fields(page: pymupdf.Page) -> str:
    """Filled form fields as 'name: value' lines: the page may show a value, but not which field it fills."""
    lines = []
    for widget in page.widgets():
        value = widget.field_value
        if isinstance(value, bool):
            value = "yes" if value else ""
        value = str(value or "").strip()
        if value in _UNCHECKED:
            continue
        if widget.field_type in _TICK_BOXES:
            value = "yes"
        lines.append(f"{widget.field_label or widget.field_name}: {value}")
    return ("\n" + "\n".join(lines)) if lines else ""


def _has_images(page: pymupdf.Page) -> bool:
    """Whether the page shows any image: get_image_info also sees inline images and images inside form
    XObjects, which get_images (the page's image resources) misses."""
    return bool(page.get_image_info())


def _recognise(reader: ocr.PageReader, page: pymupdf.Page, errors: list[str]) -> str | None:
    """The page's text by OCR, or None (noted in `errors`) when Tesseract fails, e.g. on broken language
    data: the page is then a scan without text, not a damaged file or a crash."""
    try:
        return reader.read(page)
    except MUPDF_ERRORS as error:
        errors.append(str(error) or type(error).__name__)
        return None


def _scanned_message(ocr_errors: list[str]) -> str:
    if ocr_errors:
        return (
            "Scanned document without a text layer, and Tesseract failed to read it "
            f"({ocr_errors[0]}); reinstall Tesseract (tesseract-ocr) and its language data."
        )
    return "Scanned document without a text layer; install Tesseract to read it (tesseract-ocr)."


def _xfa_instead_of_pages(document: pymupdf.Document, pages: list[str]) -> ParsedDocument | None:
    """A dynamic XFA form shows only a placeholder page; its content is the form's data."""
    kind, value = document.xref_get_key(document.pdf_catalog(), "AcroForm/XFA")
    if kind == "null":
        return None
    text = "\n".join(pages)
    if len(text) > 2000 or not (_XFA_PLACEHOLDER.search(text) or not text.strip()):
        return None  # a form whose pages carry its content as well: read the pages
    fields = _xfa_fields(document, value)
    if not fields:
        raise ReadFailure(
            DocumentProblem.UNREADABLE_FORMAT,
            "This is a dynamic XFA form: its pages hold only a placeholder and its data could not be read. "
            "Open it in Adobe Acrobat Reader, print it to a PDF file, and import that file.",
        )
    warning = (
        "This is a dynamic XFA form: its pages hold only a placeholder, so the text is the form's data as "
        "'field: value' lines, not its printed layout."
    )
    return ParsedDocument(text="\n".join(fields), warnings=[warning])


def _xfa_fields(document: pymupdf.Document, xfa: str) -> list[str]:
    match = _XFA_DATASETS.search(xfa)
    if not match:
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    root = etree.fromstring(document.xref_stream(int(match.group(1))) or b"<empty/>", parser)
    # The filled-in values live under xfa:data; siblings hold option lists (countries, languages...).
    data = next((child for child in (root if root is not None else []) if _local(child) == "data"), None)
    if data is None:
        return []
    fields = []
    for element in data.iter():
        if not isinstance(element.tag, str) or len(element) or not (element.text or "").strip():
            continue
        path = [_local(node) for node in reversed(list(element.iterancestors())) if node is not root]
        fields.append(f"{'.'.join([*path[1:], _local(element)])}: {normalise(element.text or '')}")
    return fields


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""
