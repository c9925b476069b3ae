"""HTML: the visible main text, with its title, tables as rows, and no scripts, hidden nodes or menus.

Policy on hidden content: what a reader of the page does not see (display:none, visibility:hidden, the
hidden attribute, aria-hidden) is not part of the document.

Every walk over the tree is iterative and linear: a page may nest elements 100,000 deep. (BeautifulSoup's
lxml builder keeps them all; lxml's own tree builder returns an empty page past 256 levels, or a few
thousand with huge_tree, which is why extractors built on it lose such pages.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Doctype, PageElement, ProcessingInstruction, Tag

from coderai_desktop.ingest.decoding import declared_charset, decode
from coderai_desktop.ingest.parsed import ParsedDocument, ReadOptions
from coderai_desktop.ingest.readers.html_boilerplate import page_furniture
from coderai_desktop.ingest.readers.html_text import clean, lines_of
from coderai_desktop.ingest.text import normalise

_INVISIBLE = {
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "head",
    "button", "select", "input", "textarea", "option", "datalist", "map", "audio", "video",
}  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Dropping boilerplate may leave less than this (characters, share of the visible text) only when
# the page has little text; otherwise it guessed wrong and the whole visible text is kept.
_MIN_MAIN_CHARS, _MIN_MAIN_SHARE = 500, 0.2


def read(path: Path, _options: ReadOptions) -> list[ParsedDocument]:
    data = path.read_bytes()
    markup, encoding, warnings = decode(data, declared_charset(data))
    soup = BeautifulSoup(markup, "lxml")
    title = clean(soup.title.get_text()) if soup.title else ""
    _remove_invisible(soup)
    body = soup.body or soup
    root, dropped = page_furniture(body)
    content = "\n".join(lines_of(root, dropped))
    if len(content) < _MIN_MAIN_CHARS:  # little is left: unless that is most of the page, it guessed wrong
        full = "\n".join(lines_of(body))
        content = content if len(content) >= _MIN_MAIN_SHARE * len(full) else full
    if title and content.split("\n", 1)[0].strip() != title:
        content = f"{title}\n\n{content}"
    return [ParsedDocument(text=normalise(content), encoding=encoding, warnings=warnings)]


def _remove_invisible(soup: BeautifulSoup) -> None:
    """Comments, scripts and hidden elements, found first and then removed: a removal inside the walk would
    make it quadratic (and Tag.decomposed searches the whole subtree for an attribute it lacks)."""
    invisible: list[PageElement] = []
    stack = [iter(soup.children)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif isinstance(node, Comment | Doctype | ProcessingInstruction):
            invisible.append(node)
        elif isinstance(node, Tag):
            if node.name in _INVISIBLE or _is_hidden(node.attrs or {}):
                invisible.append(node)
            else:
                stack.append(iter(node.children))
    for node in invisible:
        node.extract()


def _is_hidden(attributes: Mapping[str, object]) -> bool:
    return (
        "hidden" in attributes
        or str(attributes.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(attributes.get("style", ""))))
    )
