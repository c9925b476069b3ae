"""A document as a few kinds of block, and its two renderings: Markdown and Word. The codebook says what
to write (codebook_doc.py); this module only knows how, so both formats carry the same content. A figure is
a PNG image: Word embeds it; Markdown links it from a folder beside the document."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Inches, Pt
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


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str
    stem: str  # names its file beside a Markdown document: NN-<stem>.png

    @property
    def aspect(self) -> float:
        """Height over width, read from the PNG header."""
        width, height = struct.unpack(">II", self.png[16:24])
        return float(height / width) if width else 1.0


Block = Heading | Paragraph | TextTable | Preformatted | Figure

# Characters that would turn text into emphasis, links, HTML, math, strike-through or a table in Markdown.
# An underscore between letters or digits is left alone: it cannot start emphasis, and names are full of them.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*\[\]<>|$~#&]|(?<![^\W_])_|_(?![^\W_]))")
# At the start of a line: a heading, a list item, a quote or a setext underline.
_LINE_START = re.compile(r"^(\d*)([-+=.)])")
_BACKTICKS = re.compile(r"`+")
TABLE_STYLES = ("Light Grid Accent 1", "Table Grid")  # the first one the template has (else Word's plain)
CODE_STYLE, CODE_FONT = "Preformatted Text", "Consolas"
CAPTION_STYLE = "Caption"
FIGURE_WIDTH, FIGURE_MAX_HEIGHT = 6.0, 8.0  # inches on the page: the text's width, less than its height
_UNSAFE_STEM = re.compile(r"[^A-Za-z0-9_-]+")
FIGURE_FILE = re.compile(r"^\d{2,}-[A-Za-z0-9_-]*\.png$")  # the files figure_files names


def plain(text: str) -> str:
    """The text with one kind of line break and nothing an XML document cannot hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS.sub("", text)


def figure_files(blocks: list[Block]) -> list[tuple[str, Figure]]:
    """The document's figures in order, each with its file name: 01-agreement.png, 02-budget-values.png..."""
    figures = [block for block in blocks if isinstance(block, Figure)]
    digits = max(2, len(str(len(figures))))
    return [
        (f"{number:0{digits}d}-{_UNSAFE_STEM.sub('-', figure.stem).strip('-') or 'figure'}.png", figure)
        for number, figure in enumerate(figures, 1)
    ]


def caption_text(number: int, figure: Figure) -> str:
    return f"Figure {number}. {' '.join(plain(figure.caption).split())}"


# Markdown


def markdown(blocks: list[Block], figures_folder: str = "figures") -> str:
    """The text; each figure links its file in `figures_folder` (relative to the document), see
    write_figures."""
    names = {id(figure): (number, name) for number, (name, figure) in enumerate(figure_files(blocks), 1)}
    return "\n\n".join(_markdown_block(block, figures_folder, names) for block in blocks) + "\n"


def write_figures(blocks: list[Block], folder: Path) -> None:
    """The figures' PNG files in `folder` (made if needed), as `markdown` links them. Figure files an older
    export left there are removed first (only files named as figure_files names them: nothing else in the
    folder is touched), so the folder holds exactly the document's figures."""
    files = figure_files(blocks)
    if not files and not folder.is_dir():
        return
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        if FIGURE_FILE.match(old.name) and old.is_file():
            old.unlink()
    for name, figure in files:
        (folder / name).write_bytes(figure.png)


def _markdown_block(block: Block, folder: str, names: dict[int, tuple[int, str]]) -> str:
    match block:
        case Figure():
            number, name = names[id(block)]
            link = quote(f"{folder}/{name}")
            alt = _inline(" ".join(plain(block.caption).split()))
            return f"![{alt}]({link})\n\n*{_inline(caption_text(number, block))}*"
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
    caption_style = CAPTION_STYLE if CAPTION_STYLE in style_names else None
    numbers = {id(figure): number for number, (_, figure) in enumerate(figure_files(blocks), 1)}
    for block in blocks:
        match block:
            case Figure():
                width = min(FIGURE_WIDTH, FIGURE_MAX_HEIGHT / block.aspect)
                document.add_picture(BytesIO(block.png), width=Inches(width))
                document.add_paragraph(caption_text(numbers[id(block)], block), style=caption_style)
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
