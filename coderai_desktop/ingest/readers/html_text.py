"""The lines of an HTML subtree in reading order: inline text joins the current line, blocks and <br> end
it, each table row becomes its cells joined by ' | ' (a nested table is flattened into its cell).

The walk keeps its own stack instead of recursing, so a page nested 100,000 elements deep is read like
any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Set

from bs4 import NavigableString, PageElement, Tag

BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "figure", "figcaption", "address",
    "details", "summary", "fieldset", "legend", "caption", "hr", "form", "table", "nav", "aside",
    "center",
}  # fmt: skip
CELLS = {"td", "th"}
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def lines_of(root: Tag, skipped: Set[int] = frozenset()) -> list[str]:
    """The text of `root` as lines, leaving out the elements whose id() is in `skipped`."""
    lines = _Lines()
    stack: list[Iterator[PageElement | str]] = [iter(root.children)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif node is _END_BLOCK:
            lines.flush()
        elif node is _END_CELL:
            lines.end_cell()
        elif node is _END_ROW:
            lines.end_row()
        elif isinstance(node, NavigableString):
            lines.line.append(str(node))
        elif isinstance(node, Tag) and id(node) not in skipped:
            stack.extend(lines.enter(node))
    lines.flush()
    return lines.lines


# Markers pushed after an element's children, so its end is handled once they are read.
_END_BLOCK, _END_CELL, _END_ROW = "end of block", "end of cell", "end of row"


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.line: list[str] = []
        self._rows: list[list[str]] = []  # the cells of each table row being read (nested tables nest)
        self._cell_starts: list[int] = []  # where each open cell's lines begin

    def enter(self, tag: Tag) -> list[Iterator[PageElement | str]]:
        """What to read next for this element: its children, then the marker that ends it."""
        name = tag.name
        children: Iterator[PageElement | str] = iter(tag.children)
        if name == "br":
            self.flush()
            return []
        if name == "pre":  # preformatted: its own line breaks and spaces are kept
            self.flush()
            self.lines.append(tag.get_text().strip("\n"))
            return []
        if name == "tr":
            self.flush()
            self._rows.append([])
            return [iter((_END_ROW,)), children]
        if name in CELLS and self._rows:
            self.flush()
            self._cell_starts.append(len(self.lines))
            return [iter((_END_CELL,)), children]
        if name in BLOCKS or name in CELLS:
            self.flush()
            return [iter((_END_BLOCK,)), children]
        return [children]

    def flush(self) -> None:
        if text := clean("".join(self.line)):
            self.lines.append(text)
        self.line.clear()

    def end_cell(self) -> None:
        self.flush()
        start = self._cell_starts.pop()
        self._rows[-1].append(clean(" ".join(self.lines[start:])))
        del self.lines[start:]

    def end_row(self) -> None:
        self.flush()
        cells = self._rows.pop()
        if any(cells):
            self.lines.append(" | ".join(cells))
