"""Word (.docx, .docm): everything a reader of the printed document sees, in order.

Body paragraphs and tables, content controls, text boxes, fields (their results, not their codes),
tracked insertions (not deletions), headers and footers, footnotes and endnotes. The XML is parsed
without DTDs, entities or network access, and macros are never run (a .docm is only unzipped).

Both conformance classes are read alike: Transitional (schemas.openxmlformats.org namespaces, what Word
writes by default) and ISO/IEC 29500 Strict ("Strict Open XML", purl.oclc.org/ooxml namespaces and
relationship types). Elements are therefore matched by local name, never by one namespace.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from lxml import etree

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.parsed import ParsedDocument, ReadFailure, ReadOptions
from coderai_desktop.ingest.text import normalise

WORD_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",  # Transitional
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict
)
# Relationship types end in the same name in both classes (.../2006/relationships/header in Transitional,
# http://purl.oclc.org/ooxml/officeDocument/relationships/header in Strict): the kind is that last name.
OFFICE_DOCUMENT = "officeDocument"
PART_KINDS = ("header", "footer", "footnotes", "endnotes")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LOCAL_HEADER = b"PK\x03\x04"
MAX_PART_BYTES = 200 * 1024 * 1024  # a zip bomb inflates far beyond any real document.xml

# Containers whose children are read as if they stood in their place.
_TRANSPARENT = {
    "ins",
    "moveTo",
    "hyperlink",
    "smartTag",
    "customXml",
    "fldSimple",
    "bdo",
    "dir",
    "sdtContent",
}
_NOTE_SEPARATORS = ("separator", "continuationSeparator", "continuationNotice")
_SKIPPED = {"del", "moveFrom", "instrText", "delText", "delInstrText", "rPr", "pPr", "sectPr", "tblPr"}
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_SALVAGE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
)


def read(path: Path, _options: ReadOptions) -> list[ParsedDocument]:
    data = path.read_bytes()
    if data.startswith(OLE_MAGIC):
        raise _ole_failure(data)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _Parts(archive)
            text = _document_text(parts)
        warnings: list[str] = []
    except zipfile.BadZipFile:
        text = _salvage(data)
        warnings = [
            "The file is damaged (an incomplete ZIP archive): the text recovered from it may be incomplete."
        ]
    return [ParsedDocument(text=normalise(text), warnings=warnings)]


class _Parts:
    """The main document part and the parts it refers to, found through the package relationships."""

    def __init__(self, archive: zipfile.ZipFile):
        self._archive = archive
        names = set(archive.namelist())
        main = self._main_part(names)
        if main is None:
            raise ReadFailure(
                DocumentProblem.UNREADABLE_FORMAT, "This is a ZIP file but not a Word document."
            )
        self.main = main
        self.related = self._related(main, names)

    def xml(self, name: str) -> etree._Element:
        if self._archive.getinfo(name).file_size > MAX_PART_BYTES:
            raise ReadFailure(
                DocumentProblem.TOO_LARGE, f"The Word file's {name} is too large to read safely."
            )
        try:
            return etree.fromstring(self._archive.read(name), _SAFE_PARSER)
        except etree.XMLSyntaxError as error:
            raise ReadFailure(
                DocumentProblem.DAMAGED, f"The Word file is damaged ({name}: {error})."
            ) from None

    def _main_part(self, names: set[str]) -> str | None:
        if "_rels/.rels" in names:
            for kind, target in _relations(self._archive.read("_rels/.rels"), PurePosixPath("")):
                if kind == OFFICE_DOCUMENT and target in names:
                    return target
        return "word/document.xml" if "word/document.xml" in names else None

    def _related(self, main: str, names: set[str]) -> dict[str, list[str]]:
        """Header, footer, footnote and endnote parts, by kind, in the order the document lists them."""
        folder = PurePosixPath(main).parent
        rels = f"{folder}/_rels/{PurePosixPath(main).name}.rels"
        related: dict[str, list[str]] = {kind: [] for kind in PART_KINDS}
        if rels not in names:
            return related
        for kind, target in _relations(self._archive.read(rels), folder):
            if kind in related and target in names:
                related[kind].append(target)
        return related


def _relations(xml: bytes, folder: PurePosixPath) -> Iterator[tuple[str, str]]:
    """(kind, part name) of each internal relationship; targets are relative to the source's folder, or
    absolute from the package root, and may be percent-encoded."""
    for relation in etree.fromstring(xml, _SAFE_PARSER):
        if relation.get("TargetMode") == "External":
            continue
        kind = str(relation.get("Type", "")).rsplit("/", 1)[-1]
        target = unquote(str(relation.get("Target", "")))
        path = target if target.startswith("/") else posixpath.normpath(f"{folder}/{target}")
        yield kind, path.lstrip("/")


def _document_text(parts: _Parts) -> str:
    body = _child(parts.xml(parts.main), "body")
    sections = [
        _unique(line for name in parts.related["header"] for line in _blocks(parts.xml(name))),
        list(_blocks(body)) if body is not None else [],
        [line for name in parts.related["footnotes"] for line in _notes(parts.xml(name), "footnote")],
        [line for name in parts.related["endnotes"] for line in _notes(parts.xml(name), "endnote")],
        _unique(line for name in parts.related["footer"] for line in _blocks(parts.xml(name))),
    ]
    return "\n\n".join("\n".join(section) for section in sections if section)


def _blocks(container: etree._Element) -> Iterator[str]:
    """Paragraphs and table rows in document order, descending into content controls."""
    for child in container:
        tag = _local(child)
        if tag == "p":
            yield from _paragraph(child)
        elif tag == "tbl":
            yield from _table(child)
        elif tag == "AlternateContent":
            yield from _blocks(_chosen(child))
        elif tag in _TRANSPARENT or tag == "sdt":
            yield from _blocks(_content(child))


def _paragraph(paragraph: etree._Element) -> Iterator[str]:
    pieces: list[str] = []
    boxes: list[str] = []
    _runs(paragraph, pieces, boxes)
    if text := "".join(pieces).strip():
        yield text
    yield from boxes  # a text box's paragraphs follow the paragraph that anchors it


def _runs(element: etree._Element, pieces: list[str], boxes: list[str]) -> None:
    for child in element:
        tag = _local(child)
        if tag in _SKIPPED:
            continue
        if tag == "t":
            pieces.append(child.text or "")
        elif tag == "tab":
            pieces.append("\t")
        elif tag in ("br", "cr"):
            pieces.append("\n")
        elif tag == "noBreakHyphen":
            pieces.append("-")
        elif tag == "txbxContent":
            boxes.extend(_blocks(child))
        elif tag == "AlternateContent":
            _runs(_chosen(child), pieces, boxes)
        else:  # runs, insertions, hyperlinks, fields, drawings that may hold text boxes...
            _runs(_content(child) if tag == "sdt" else child, pieces, boxes)


def _table(table: etree._Element) -> Iterator[str]:
    for row in _children(table, "tr"):
        cells = [" ".join(_blocks(cell)) for cell in _children(row, "tc")]
        if any(cells):
            yield " | ".join(cells)


def _children(element: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Direct children with this tag, also when wrapped in content controls or custom XML."""
    for child in element:
        name = _local(child)
        if name == tag:
            yield child
        elif name in ("sdt", "customXml", "sdtContent"):
            yield from _children(_content(child) if name == "sdt" else child, tag)


def _notes(root: etree._Element, kind: str) -> Iterator[str]:
    for note in root.iter():
        if _local(note) == kind and _attribute(note, "type") not in _NOTE_SEPARATORS:
            yield from _blocks(note)


def _chosen(alternate: etree._Element) -> etree._Element:
    """Markup compatibility: the first choice (e.g. a modern text box), never also its fallback copy."""
    for option in ("Choice", "Fallback"):
        if (chosen := _child(alternate, option)) is not None:
            return chosen
    return etree.Element("empty")


def _content(sdt: etree._Element) -> etree._Element:
    content = _child(sdt, "sdtContent")
    return content if content is not None else etree.Element("empty")


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((child for child in element if _local(child) == name), None)


def _attribute(element: etree._Element, name: str) -> str | None:
    for namespace in WORD_NAMESPACES:
        if (value := element.get(f"{{{namespace}}}{name}")) is not None:
            return str(value)
    return None


def _unique(lines: Iterator[str]) -> list[str]:
    """Headers and footers repeat per section; keep each text once."""
    return list(dict.fromkeys(lines))


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ole_failure(data: bytes) -> ReadFailure:
    if "EncryptionInfo".encode("utf-16-le") in data:
        return ReadFailure(
            DocumentProblem.UNREADABLE_FORMAT,
            "This Word file is encrypted with a password. Open it in Word, remove the password "
            "(File > Info > Protect Document), save it, and import it again.",
        )
    return ReadFailure(
        DocumentProblem.UNREADABLE_FORMAT,
        "This is an old Word 97-2003 document (.doc) with a .docx name. Open it in Word and save it as .docx.",
    )


def _salvage(data: bytes) -> str:
    """Inflate word/document.xml from its local header when the ZIP's directory is missing or broken."""
    marker = data.find(LOCAL_HEADER)
    while marker != -1:
        method = int.from_bytes(data[marker + 8 : marker + 10], "little")
        name_length = int.from_bytes(data[marker + 26 : marker + 28], "little")
        extra_length = int.from_bytes(data[marker + 28 : marker + 30], "little")
        name = data[marker + 30 : marker + 30 + name_length]
        if name == b"word/document.xml":
            start = marker + 30 + name_length + extra_length
            stored = data[start : start + MAX_PART_BYTES]
            xml = (
                stored
                if method == 0
                else zlib.decompressobj(-zlib.MAX_WBITS).decompress(stored, MAX_PART_BYTES)
            )
            root = etree.fromstring(xml, _SALVAGE_PARSER) if xml else None
            body = _child(root, "body") if root is not None else None
            if body is not None and (text := "\n".join(_blocks(body))).strip():
                return text
            break
        marker = data.find(LOCAL_HEADER, marker + 4)
    raise ReadFailure(
        DocumentProblem.DAMAGED,
        "The Word file is damaged (its ZIP archive is incomplete) and no text could be recovered. "
        "Open it in Word, save it again, and import the new file.",
    )
