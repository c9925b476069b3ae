"""A document as a few kinds of block, and its two renderings: Markdown and Word. The codebook says what
to write (codebook_doc.py); this module only knows how, so both formats carry the same content."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt
from docx.styles.style import ParagraphStyle

from coderai_desktop.spreadsheet_cells import ILLEGAL_CHARACTERS


@dataclass(frozen=True)
class Heading:
    level: int  # 0: the document's title, 1: a section, 2 and more: within a section
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str  # line breaks are kept


@dataclass(frozen=True)
class TextTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Preformatted:
    text: str  # shown exactly as it is, in a monospace font: prompts are data, not prose


Block = Heading | Paragraph | TextTable | Preformatted

# Characters that would turn text into emphasis, links, HTML, math, strike-through or a table in Markdown.
# An underscore between letters or digits is left alone: it cannot start emphasis, and names are full of them.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*\[\]<>|$~#&]|(?<![^\W_])_|_(?![^\W_]))")
# At the start of a line: a heading, a list item, a quote or a setext underline.
_LINE_START = re.compile(r"^(\d*)([-+=.)])")
_BACKTICKS = re.compile(r"`+")
TABLE_STYLES = ("Light Grid Accent 1", "Table Grid")  # the first one the template has (else Word's plain)
CODE_STYLE, CODE_FONT = "Preformatted Text", "Consolas"


def plain(text: str) -> str:
    """The text with one kind of line break and nothing an XML document cannot hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS.sub("", text)


# Markdown


def markdown(blocks: list[Block]) -> str:
    return "\n\n".join(_markdown_block(block) for block in blocks) + "\n"


def _markdown_block(block: Block) -> str:
    match block:
        case Heading(level, text):
            return "#" * min(level + 1, 6) + " " + _inline(" ".join(plain(text).split()))
        case Paragraph(text):
            return _markdown_paragraph(plain(text))
        case TextTable(headers, rows):
            lines = [_table_row(headers), _table_row(tuple("---" for _ in headers))]
            return "\n".join(lines + [_table_row(row) for row in rows])
        case Preformatted(text):
            return _fenced(plain(text))
    raise TypeError(f"not a block: {block!r}")


def _inline(text: str) -> str:
    return _MARKDOWN_ACTIVE.sub(r"\\\1", text)


def _markdown_paragraph(text: str) -> str:
    """Blank lines separate paragraphs; other line breaks become hard breaks (a backslash at the end)."""
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            paragraphs[-1].append(_markdown_line(line))
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\\\n".join(lines) for lines in paragraphs if lines)


def _markdown_line(line: str) -> str:
    stripped = line.lstrip(" \t")
    text = _inline(stripped.rstrip())
    if len(stripped) < len(line):
        # Leading spaces as non-breaking ones: kept visible, and never read as an indented code block.
        return "\u00a0" * (len(line) - len(stripped)) + text
    return _LINE_START.sub(r"\1\\\2", text, count=1)


def _table_row(cells: tuple[str, ...]) -> str:
    # A line break or a bare `|` inside a cell would end the row or split the cell.
    return "| " + " | ".join(_inline(plain(cell)).replace("\n", "<br>") for cell in cells) + " |"


def _fenced(text: str) -> str:
    """A fence longer than any run of backticks in the text, which is data and may hold fences itself."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}\n{body}{fence}"


# Word


def write_docx(blocks: list[Block], path: Path) -> None:
    document = docx.Document()
    style_names = {style.name for style in document.styles}
    table_style = next((name for name in TABLE_STYLES if name in style_names), None)
    code_style = _code_style(document)
    for block in blocks:
        match block:
            case Heading(level, text):
                document.add_heading(" ".join(plain(text).split()), level=min(level, 9))
            case Paragraph(text):
                document.add_paragraph(plain(text))  # python-docx turns "\n" into line breaks
            case TextTable(headers, rows):
                _docx_table(document, headers, rows, table_style)
            case Preformatted(text):
                document.add_paragraph(plain(text), style=code_style)
    document.save(str(path))


def _code_style(document: Document) -> ParagraphStyle:
    style = document.styles.add_style(CODE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = document.styles["Normal"]
    style.font.name = CODE_FONT
    style.font.size = Pt(9)
    return style


def _docx_table(
    document: Document, headers: tuple[str, ...], rows: tuple[tuple[str, ...], ...], style: str | None
) -> None:
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = style
    for index, (row, texts) in enumerate(zip(table.rows, (headers, *rows), strict=True)):
        for cell, text in zip(row.cells, texts, strict=True):
            run = cell.paragraphs[0].add_run(plain(text))
            if index == 0:
                run.bold = True
