"""Generators of realistic test documents: each writes one file into a folder and returns its path.

Shared by the unit tests, the integration tests and the benchmark (which writes a thousand of them), so
every generator is fast (a few milliseconds a file), writes the same bytes for the same arguments (fixed
dates, no random ids; encrypted PDFs excepted, whose cipher needs random salts), and takes its content as
parameters. Nothing here reads documents: that is what the tests check.
"""

from __future__ import annotations

import codecs
import csv
import io
import random
import re
import zipfile
import zlib
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import docx
import openpyxl
import pymupdf

FIXED_DATE = datetime(2024, 1, 2, 3, 4, 5)
A4 = (595.0, 842.0)
MARGIN = 56.0

# ---------------------------------------------------------------------------------------------- text


_WORDS = (
    "the", "committee", "report", "budget", "ministry", "policy", "survey", "respondents", "households",
    "region", "council", "members", "decision", "annual", "growth", "rate", "health", "education",
    "program", "evaluation", "outcome", "effect", "district", "court", "ruling", "appeal", "evidence",
    "witness", "agreement", "treaty", "article", "section", "clause", "funding", "grant", "school",
    "teachers", "students", "village", "market", "price", "farmers", "income", "water", "energy",
    "transport", "election", "voters", "party", "reform",
)  # fmt: skip


def prose(seed: int, words: int, *, sentence_words: tuple[int, int] = (6, 18)) -> str:
    """Deterministic plain English-like sentences, about `words` words long."""
    rng = random.Random(seed)
    sentences, total = [], 0
    while total < words:
        length = min(rng.randint(*sentence_words), words - total)
        chosen = [rng.choice(_WORDS) for _ in range(length)]
        sentences.append(" ".join(chosen).capitalize() + rng.choice(".....?!"))
        total += length
    return " ".join(sentences)


def paragraphs(seed: int, count: int, *, words: tuple[int, int] = (20, 160)) -> str:
    """`count` paragraphs of varied length separated by blank lines."""
    rng = random.Random(seed)
    return "\n\n".join(prose(seed * 1000 + n, rng.randint(*words)) for n in range(count))


# ---------------------------------------------------------------------------------------------- PDF


@cache
def _font(name: str) -> pymupdf.Font:
    return pymupdf.Font(name)


@cache
def _advance(name: str, char: str) -> float:
    """A character's width at font size 1 (cached: PyMuPDF measures text one character at a time)."""
    return float(_font(name).glyph_advance(ord(char)))


def _width(name: str, text: str, fontsize: float) -> float:
    return fontsize * sum(_advance(name, char) for char in text)


def _font_for(text: str) -> str:
    """Helvetica (Latin, Cyrillic, Greek, ligatures) unless the text needs the CJK fallback font."""
    helvetica = _font("helv")
    if all(char.isspace() or helvetica.has_glyph(ord(char)) for char in set(text)):
        return "helv"
    return "cjk"


def _inset(rect: pymupdf.Rect, margin: float) -> pymupdf.Rect:
    return pymupdf.Rect(rect.x0 + margin, rect.y0 + margin, rect.x1 - margin, rect.y1 - margin)


def _write_text(page: pymupdf.Page, text: str, fontsize: float) -> None:
    """The text inside the page margins as real characters (with a ToUnicode map), one line of the
    text per line of the page, wrapped at spaces; words wider than the box are broken."""
    name = _font_for(text)
    box = _inset(page.rect, min(MARGIN, min(page.rect.width, page.rect.height) / 10))
    writer = pymupdf.TextWriter(page.rect)
    baseline = box.y0 + fontsize
    for line in _wrapped(text, name, fontsize, box.width):
        if baseline > box.y1:
            raise ValueError("the text does not fit on one page")
        if line:
            writer.append((box.x0, baseline), line, font=_font(name), fontsize=fontsize)
        baseline += fontsize * 1.25
    writer.write_text(page)


def _wrapped(text: str, name: str, fontsize: float, width: float) -> list[str]:
    """Greedy line breaking at spaces by measured widths; words wider than a line (e.g. Chinese
    without spaces) are cut."""
    space = _width(name, " ", fontsize)
    lines = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            while (size := _width(name, word, fontsize)) > width:
                cut = max(1, int(len(word) * width / size) - 1)
                lines.extend([" ".join(line), word[:cut]] if line else [word[:cut]])
                line, used, word = [], 0.0, word[cut:]
            if line and used + space + size > width:
                lines.append(" ".join(line))
                line, used = [], 0.0
            used += size + (space if line else 0.0)
            line.append(word)
        lines.append(" ".join(line))
    return lines


def _page_image(text: str, size: tuple[float, float], fontsize: float, dpi: int) -> bytes:
    """A PNG of the text as a scanner would see it (black on white, grey, no text layer)."""
    with pymupdf.open() as scratch:
        page = scratch.new_page(width=size[0], height=size[1])
        _write_text(page, text, fontsize)
        return page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY).tobytes("png")


def _save(document: pymupdf.Document, path: Path, **options: Any) -> Path:
    document.set_metadata({"creationDate": "", "modDate": "", "producer": "", "creator": ""})
    document.subset_fonts()
    document.save(path, garbage=3, deflate=True, no_new_id="encryption" not in options, **options)
    return path


def pdf_file(
    folder: Path,
    name: str,
    pages: Sequence[str],
    *,
    scanned: Collection[int] = (),
    size: tuple[float, float] = A4,
    fontsize: float = 11,
    dpi: int = 150,
) -> Path:
    """A PDF with one page per string, as text; pages whose index is in `scanned` are images only.

    No pages at all gives a syntactically valid PDF whose page tree is empty (PyMuPDF cannot save one).
    """
    path = folder / name
    if not pages:
        path.write_bytes(_EMPTY_PDF)
        return path
    with pymupdf.open() as document:
        for number, text in enumerate(pages):
            page = document.new_page(width=size[0], height=size[1])
            if number in scanned:
                page.insert_image(page.rect, stream=_page_image(text, size, fontsize, dpi))
            elif text:
                _write_text(page, text, fontsize)
        return _save(document, path)


def scanned_pdf(
    folder: Path,
    name: str,
    text: str,
    *,
    size: tuple[float, float] = (300, 120),
    fontsize: float = 16,
    embedding: str = "xobject",
) -> Path:
    """One small page holding only a picture of the text: no text layer, as from a scanner.

    `embedding` is how the page holds the picture: "xobject" (an image resource, the usual way), "inline"
    (BI/ID/EI in the content stream, as some scanners and fax software write) or "form" (the scanned page
    placed inside a form XObject, as when pages are imposed or stamped)."""
    path = pdf_file(folder, name, [text], scanned={0}, size=size, fontsize=fontsize, dpi=200)
    if embedding == "xobject":
        return path
    with pymupdf.open() as document:
        page = document.new_page(width=size[0], height=size[1])
        if embedding == "form":
            with pymupdf.open(path) as scan:
                page.show_pdf_page(page.rect, scan, 0)
        else:
            with pymupdf.open() as scratch:
                drawn = scratch.new_page(width=size[0], height=size[1])
                _write_text(drawn, text, fontsize)
                picture = drawn.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
            stream = (
                (
                    f"q {size[0]} 0 0 {size[1]} 0 0 cm BI /W {picture.width} /H {picture.height} /CS /G /BPC 8 "
                    "/F /Fl ID "
                ).encode()
                + zlib.compress(picture.samples)
                + b"\nEI Q"
            )
            contents = document.get_new_xref()
            document.update_object(contents, "<<>>")
            document.update_stream(contents, stream)
            document.xref_set_key(page.xref, "Contents", f"{contents} 0 R")
        return _save(document, path)


def without_xref(path: Path) -> Path:
    """The PDF with its cross-reference table and trailer cut off (MuPDF then repairs it), as scanners and
    broken writers leave them: rewritten in place."""
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"\nxref")])
    return path


def encrypted_pdf(folder: Path, name: str, text: str, password: str, *, owner_password: str = "") -> Path:
    """AES-256 encrypted; the user password opens it (any Unicode: the PDF 2.0 handler uses UTF-8)."""
    with pymupdf.open() as document:
        _write_text(document.new_page(width=A4[0], height=A4[1]), text, 11)
        return _save(
            document,
            folder / name,
            encryption=pymupdf.PDF_ENCRYPT_AES_256,
            user_pw=password,
            owner_pw=owner_password or f"owner-{password}",
            permissions=-1,
        )


def form_pdf(
    folder: Path, name: str, fields: Mapping[str, str], *, heading: str = "Application form"
) -> Path:
    """A page with a heading and one filled AcroForm text field per item (field name -> value)."""
    with pymupdf.open() as document:
        page = document.new_page(width=A4[0], height=A4[1])
        page.insert_text((MARGIN, MARGIN), heading, fontname="helv", fontsize=14)
        top = MARGIN + 30
        for field_name, value in fields.items():
            page.insert_text((MARGIN, top + 14), field_name, fontname="helv", fontsize=10)
            widget = pymupdf.Widget()
            widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
            widget.field_name = field_name
            widget.field_value = value
            widget.rect = pymupdf.Rect(MARGIN + 150, top, A4[0] - MARGIN, top + 20)
            page.add_widget(widget)
            top += 30
        return _save(document, folder / name)


def truncated_pdf(
    folder: Path, name: str, pages: Sequence[str] = ("Truncated report text.",), *, keep: float = 0.5
) -> Path:
    """A valid PDF cut to the first `keep` share of its bytes (in half by default), as from an
    interrupted download."""
    path = pdf_file(folder, name, pages)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def pdf_without_xref(folder: Path, name: str, pages: Sequence[str]) -> Path:
    """A PDF whose cross-reference table and trailer are missing: damage every viewer repairs."""
    path = pdf_file(folder, name, pages)
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"\nxref")])
    return path


def garbled_pdf(folder: Path, name: str, text: str) -> Path:
    """Text whose font has a broken ToUnicode map: it renders right but extracts as symbols (∀∁∂...),
    the way PDFs from some old typesetting tools do."""
    path = folder / name
    with pymupdf.open() as document:
        page = document.new_page(width=A4[0], height=A4[1])
        page.insert_textbox(_inset(page.rect, MARGIN), text, fontname="helv", fontsize=12)
        cmap = document.get_new_xref()
        document.update_object(cmap, "<<>>")
        document.update_stream(cmap, _SYMBOL_CMAP)
        for font in page.get_fonts():
            document.xref_set_key(font[0], "ToUnicode", f"{cmap} 0 R")
        return _save(document, path)


_SYMBOL_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Broken def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfrange <00> <FF> <2200> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""

_EMPTY_PDF = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R /Size 3 >>\n%%EOF\n"
)

# --------------------------------------------------------------------------------------------- Word

WORD_NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'mc:Ignorable="wps"'
)
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MACRO_MAIN_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"
_PART_TYPES = {
    "header": "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "footer": "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
    "footnotes": "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "endnotes": "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def w_run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def w_paragraph(*content: str) -> str:
    """A paragraph; plain strings become runs, strings starting with '<' are inserted as markup."""
    return "<w:p>" + "".join(part if part.startswith("<") else w_run(part) for part in content) + "</w:p>"


def w_row(cells: Sequence[str]) -> str:
    """A table row whose cells hold one paragraph each (cell strings may be markup, as in w_paragraph)."""
    return (
        "<w:tr>"
        + "".join(f"<w:tc>{cell if cell.startswith('<') else w_paragraph(cell)}</w:tc>" for cell in cells)
        + "</w:tr>"
    )


def w_table(rows: Sequence[Sequence[str] | str]) -> str:
    """A table of rows (lists of cells, or row markup such as a content control around w_row)."""
    return "<w:tbl>" + "".join(row if isinstance(row, str) else w_row(row) for row in rows) + "</w:tbl>"


def w_text_box(*paragraph_texts: str) -> str:
    """A run holding a text box the way Word 2010+ writes it: a DrawingML shape as the markup-compatibility
    Choice and a VML copy of the same text as the Fallback for older readers."""
    content = "<w:txbxContent>" + "".join(w_paragraph(text) for text in paragraph_texts) + "</w:txbxContent>"
    drawing = (
        '<w:drawing><wp:anchor><wp:extent cx="2000000" cy="500000"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        f"<wps:txbx>{content}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
    )
    vml = f'<w:pict><v:shape style="width:160pt;height:40pt"><v:textbox>{content}</v:textbox></v:shape></w:pict>'
    return (
        f'<w:r><mc:AlternateContent><mc:Choice Requires="wps">{drawing}</mc:Choice>'
        f"<mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent></w:r>"
    )


def w_content_control(inner_xml: str, *, tag: str = "field") -> str:
    """A content control (structured document tag) around block, row, cell or run markup."""
    return f'<w:sdt><w:sdtPr><w:tag w:val="{escape(tag)}"/></w:sdtPr><w:sdtContent>{inner_xml}</w:sdtContent></w:sdt>'


def w_field(code: str, result: str) -> str:
    """A complex field: the code (w:instrText) Word hides and the result it shows."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {escape(code)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'{w_run(result)}<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def w_insertion(text: str) -> str:
    return f'<w:ins w:id="101" w:author="Reviewer" w:date="2024-01-02T03:04:05Z">{w_run(text)}</w:ins>'


def w_deletion(text: str) -> str:
    return (
        '<w:del w:id="102" w:author="Reviewer" w:date="2024-01-02T03:04:05Z">'
        f'<w:r><w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>'
    )


def header_part(*paragraph_texts: str, kind: str = "hdr") -> str:
    """The XML of a header (kind 'hdr') or footer ('ftr') part."""
    body = "".join(w_paragraph(text) for text in paragraph_texts)
    return f"<w:{kind} {WORD_NAMESPACES}>{body}</w:{kind}>"


def notes_part(kind: str, notes: Sequence[str], *, continuation_notice: str | None = None) -> str:
    """A footnotes or endnotes part ('footnote'/'endnote'), with the separators Word always writes and,
    if given, the notice it prints where a note continues on the next page."""
    separators = (
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
        f"</w:p></w:{kind}>"
    )
    if continuation_notice is not None:
        separators += (
            f'<w:{kind} w:type="continuationNotice" w:id="-2">{w_paragraph(continuation_notice)}</w:{kind}>'
        )

    body = "".join(f'<w:{kind} w:id="{n}">{w_paragraph(text)}</w:{kind}>' for n, text in enumerate(notes, 1))
    return f"<w:{kind}s {WORD_NAMESPACES}>{separators}{body}</w:{kind}s>"


def docx_from_xml(
    folder: Path,
    name: str,
    document_xml_body: str,
    extra_parts: Mapping[str, str | bytes] | None = None,
    *,
    prolog: str = "",
) -> Path:
    """A minimal WordprocessingML package written by hand, for markup python-docx cannot produce.

    `document_xml_body` goes inside <w:body>; `prolog` between the XML declaration and <w:document>
    (e.g. a DOCTYPE). Parts in `extra_parts` named word/header*.xml, word/footer*.xml,
    word/footnotes.xml or word/endnotes.xml are related from the document like Word does.
    """
    extra = dict(extra_parts or {})
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
        f"<w:document {WORD_NAMESPACES}><w:body>{document_xml_body}</w:body></w:document>"
    )
    relations, overrides = [], []
    for number, part in enumerate(sorted(extra), 1):
        kind = next((kind for kind in _PART_TYPES if Path(part).name.startswith(kind)), None)
        if kind is None or not part.startswith("word/"):
            continue
        target = part.removeprefix("word/")
        relations.append(
            f'<Relationship Id="rId{number}" Type="{_OFFICE_RELATIONSHIPS}/{kind}" Target="{target}"/>'
        )
        overrides.append(f'<Override PartName="/{part}" ContentType="{_PART_TYPES[kind]}"/>')
    main_type = _MACRO_MAIN_TYPE if name.lower().endswith(".docm") else _MAIN_TYPE
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>{"".join(overrides)}</Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{_OFFICE_RELATIONSHIPS}/officeDocument" Target="word/document.xml"/>'
            "</Relationships>"
        ),
        "word/document.xml": document,
        "word/_rels/document.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
            f"{''.join(relations)}</Relationships>"
        ),
        **extra,
    }
    return zip_file(folder, name, parts)


def docx_file(
    folder: Path,
    name: str,
    paragraphs: Sequence[str | Sequence[Sequence[str]]],
    *,
    header: str | None = None,
    footer: str | None = None,
    title: str = "",
) -> Path:
    """A Word document made by python-docx: each item is a paragraph (str) or a table (rows of cells)."""
    document = docx.Document()
    for block in paragraphs:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=max(len(row) for row in block))
            for cells, row in zip(table.rows, block, strict=True):
                for cell, value in zip(cells.cells, row, strict=False):
                    cell.text = value
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    properties = document.core_properties
    properties.title, properties.created, properties.modified = title, FIXED_DATE, FIXED_DATE
    buffer = io.BytesIO()
    document.save(buffer)
    parts = _zip_parts(buffer)
    if name.lower().endswith(".docm"):
        types = parts["[Content_Types].xml"]
        assert isinstance(types, bytes)
        parts["[Content_Types].xml"] = types.replace(_MAIN_TYPE.encode(), _MACRO_MAIN_TYPE.encode())
    return zip_file(folder, name, parts)


def truncated_docx(folder: Path, name: str, paragraphs: Sequence[str], *, keep: float = 0.6) -> Path:
    """A Word document cut to the first `keep` share of its bytes (its ZIP directory is lost)."""
    path = docx_from_xml(folder, name, "".join(w_paragraph(text) for text in paragraphs))
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def encrypted_docx(folder: Path, name: str) -> Path:
    """What Word writes for a password-protected document: an OLE compound file holding EncryptionInfo."""
    return _ole_file(folder / name, ["EncryptionInfo", "EncryptedPackage"])


def word97_file(folder: Path, name: str) -> Path:
    """An old binary Word document (OLE compound file without encryption), e.g. a .doc renamed .docx."""
    return _ole_file(folder / name, ["WordDocument", "1Table"])


def _ole_file(path: Path, streams: Sequence[str]) -> Path:
    header = OLE_MAGIC + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + bytes(512 - 32)
    directory = b"".join(
        name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in ["Root Entry", *streams]
    )
    path.write_bytes(header + directory.ljust(1024, b"\0"))
    return path


# Transitional namespaces and relationship types, and what ISO/IEC 29500 Strict calls them (most specific
# first: the relationships prefix would otherwise rename extended-properties wrongly).
_STRICT_NAMES = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties": (
        "http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties"
    ),
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
        "http://purl.oclc.org/ooxml/officeDocument/relationships"
    ),
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": (
        "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"
    ),
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes": (
        "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes"
    ),
    "http://schemas.openxmlformats.org/officeDocument/2006/math": "http://purl.oclc.org/ooxml/officeDocument/math",
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main": "http://purl.oclc.org/ooxml/wordprocessingml/main",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing": (
        "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing"
    ),
    "http://schemas.openxmlformats.org/drawingml/2006/picture": "http://purl.oclc.org/ooxml/drawingml/picture",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main",
}


def as_strict(path: Path, *, main_part: str = "word/document.xml") -> Path:
    """The Word file rewritten in place as Word's "Strict Open XML Document": the same parts with the
    Strict namespaces and relationship types, and conformance="strict" on the document. `main_part`
    renames word/document.xml, so that only the package relationship says where the document is."""
    with zipfile.ZipFile(path) as archive:
        parts: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    for name, content in parts.items():
        if name.endswith((".xml", ".rels")) and isinstance(content, bytes):
            text = content.decode("utf-8")
            for transitional, strict in _STRICT_NAMES.items():
                text = text.replace(transitional, strict)
            parts[name] = text.replace("<w:document ", '<w:document w:conformance="strict" ', 1)
    if main_part != "word/document.xml":
        parts[main_part] = parts.pop("word/document.xml")
        folder, file_name = main_part.rsplit("/", 1)
        parts[f"{folder}/_rels/{file_name}.rels"] = parts.pop("word/_rels/document.xml.rels")
        for package_part in ("_rels/.rels", "[Content_Types].xml"):
            content = parts[package_part]
            text = content.decode() if isinstance(content, bytes) else content
            parts[package_part] = text.replace("word/document.xml", main_part)
    return zip_file(path.parent, path.name, parts)


def zip_file(folder: Path, name: str, parts: Mapping[str, str | bytes]) -> Path:
    """A ZIP of the given parts with fixed timestamps, so the same parts always give the same bytes."""
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            info = zipfile.ZipInfo(part, date_time=FIXED_DATE.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode() if isinstance(content, str) else content)
    return path


# ------------------------------------------------------------------------------------- text formats


def _encoded(text: str, encoding: str, bom: bool) -> bytes:
    data = text.encode(encoding)
    if not bom:
        return data
    marks = {
        "utf-8": codecs.BOM_UTF8,
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }
    return marks[codecs.lookup(encoding).name] + data


def text_file(
    folder: Path, name: str, text: str, *, encoding: str = "utf-8", newline: str = "\n", bom: bool = False
) -> Path:
    """Plain text in any encoding, with the given newline convention and optionally a byte-order mark."""
    path = folder / name
    path.write_bytes(_encoded(text.replace("\n", newline), encoding, bom))
    return path


def html_file(
    folder: Path,
    name: str,
    body_html: str,
    *,
    title: str | None = None,
    encoding: str = "utf-8",
    meta_charset: str | None = None,
    bom: bool = False,
    head_html: str = "",
) -> Path:
    """A web page in any encoding; `meta_charset` is declared as given (it may lie), None declares none."""
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    heading = f"<title>{escape(title)}</title>" if title is not None else ""
    page = f"<!DOCTYPE html>\n<html><head>{meta}{heading}{head_html}</head>\n<body>\n{body_html}\n</body></html>\n"
    path = folder / name
    path.write_bytes(_encoded(page, encoding, bom))
    return path


# ----------------------------------------------------------------------------------- spreadsheets


def csv_file(
    folder: Path,
    name: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """A CSV with a header row taken from the first row's keys (None is written as an empty cell)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def xlsx_file(folder: Path, name: str, rows: Sequence[Mapping[str, Any]], *, sheet: str = "Data") -> Path:
    """A workbook whose first sheet holds a header row and the rows (dates stay dates, None is empty)."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    worksheet.append(list(rows[0]))
    for row in rows:
        worksheet.append(list(row.values()))
    workbook.properties.created = FIXED_DATE
    buffer = io.BytesIO()
    workbook.save(buffer)
    return zip_file(folder, name, _fixed_times(_zip_parts(buffer), "docProps/core.xml"))


def _zip_parts(buffer: io.BytesIO) -> dict[str, str | bytes]:
    with zipfile.ZipFile(buffer) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _fixed_times(parts: dict[str, str | bytes], core: str) -> dict[str, str | bytes]:
    """Office writes the time of saving into the core properties: replace it with FIXED_DATE."""
    if isinstance(xml := parts.get(core), bytes):
        stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        parts[core] = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, xml)
    return parts


def example_rows(count: int, *, text_column: str = "Text") -> list[dict[str, Any]]:
    """Rows like a survey export: an id, a text column, a number, a date and an empty cell."""
    return [
        {
            "ID": n,
            text_column: prose(n, 25),
            "Score": round(n * 1.5, 1),
            "Submitted": datetime(2023, 1 + n % 12, 1 + n % 28, 9, 30),
            "Note": None,
        }
        for n in range(1, count + 1)
    ]
