"""HTML: the visible main text, with its title, tables as rows, and no scripts, hidden nodes or menus.

Policy on hidden content: what a reader of the page does not see (display:none, visibility:hidden, the
hidden attribute, aria-hidden) is not part of the document.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag

from coderai_desktop.ingest.decoding import declared_charset, decode
from coderai_desktop.ingest.parsed import ParsedDocument, ReadOptions
from coderai_desktop.ingest.text import normalise

_INVISIBLE = {
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "head",
    "button", "select", "input", "textarea", "option", "datalist", "map", "audio", "video",
}  # fmt: skip
_BOILERPLATE = {"nav", "aside"}
_BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "figure", "figcaption", "address",
    "details", "summary", "fieldset", "legend", "caption", "hr", "form",
}  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACES = re.compile(r"\s+")
# The main/article element is used when it holds at least this share of the page's text.
_MAIN_SHARE = 0.3
_LINK_DENSITY = 0.6
_MIN_MAIN_CHARS, _MIN_MAIN_SHARE = 500, 0.2
_UNLIKELY = re.compile(
    r"-ad-|banner|breadcrumb|combx|comment|community|cookie|disqus|extra|footer|gdpr|header|legends|menu|"
    r"related|remark|replies|rss|share|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|"
    r"agegate|pagination|pager|popup|login|signup|subscribe|newsletter|nav",
    re.I,
)
_MAYBE = re.compile(r"and|article|body|column|content|main|shadow", re.I)


def read(path: Path, _options: ReadOptions) -> list[ParsedDocument]:
    data = path.read_bytes()
    markup, encoding, warnings = decode(data, declared_charset(data))
    title, full = _visible_text(markup, drop_boilerplate=False)
    _title, main = _visible_text(markup, drop_boilerplate=True)
    # Boilerplate is told apart by markup and link density; if that leaves little, it guessed wrong.
    content = main if len(main) >= min(_MIN_MAIN_CHARS, _MIN_MAIN_SHARE * len(full)) else full
    if title and content.split("\n", 1)[0].strip() != title:
        content = f"{title}\n\n{content}"
    return [ParsedDocument(text=normalise(content), encoding=encoding, warnings=warnings)]


def _visible_text(markup: str, *, drop_boilerplate: bool) -> tuple[str, str]:
    """The page's title and its visible text (without menus and the like, if asked)."""
    soup = BeautifulSoup(markup, "lxml")
    title = _clean(soup.title.get_text()) if soup.title else ""
    _remove_invisible(soup)
    body = soup.body or soup
    if drop_boilerplate:
        _remove_page_boilerplate(body)
        body = _main_content(body)
    lines: list[str] = []
    _collect(body, lines, [])
    return title, "\n".join(lines)


def _remove_invisible(soup: BeautifulSoup) -> None:
    for node in soup.find_all(string=lambda s: isinstance(s, Comment | Doctype | ProcessingInstruction)):
        node.extract()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.parent is None:
            continue
        if tag.name in _INVISIBLE or _is_hidden(tag):
            tag.decompose()


def _is_hidden(tag: Tag) -> bool:
    attributes = tag.attrs or {}
    return (
        "hidden" in attributes
        or str(attributes.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(attributes.get("style", ""))))
    )


def _remove_page_boilerplate(body: Tag) -> None:
    """Menus, banners, share bars and page footers: by tag, role, class or id, or by being mostly links."""
    for tag in body.find_all(True):
        if tag.decomposed or tag.parent is None:
            continue
        role = str(tag.get("role", "")).lower()
        page_level = tag.name in ("header", "footer") and tag.find_parent(["article", "main"]) is None
        if tag.name in _BOILERPLATE or role in _BOILERPLATE_ROLES or page_level or _unlikely(tag):
            tag.decompose()
    for tag in body.find_all(["ul", "ol", "div", "section", "table"]):
        if not tag.decomposed and tag.parent is not None and _mostly_links(tag):
            tag.decompose()


def _unlikely(tag: Tag) -> bool:
    """Class and id names that mark page furniture (the patterns Mozilla Readability uses)."""
    if tag.name in ("body", "a", "article", "main"):
        return False
    names = " ".join([*tag.get("class", []), str(tag.get("id", ""))])
    return bool(names.strip()) and bool(_UNLIKELY.search(names)) and not _MAYBE.search(names)


def _mostly_links(tag: Tag) -> bool:
    text = _clean(tag.get_text(" "))
    if not text:
        return False
    linked = sum(len(_clean(link.get_text(" "))) for link in tag.find_all("a"))
    return linked / len(text) > _LINK_DENSITY


def _main_content(body: Tag) -> Tag:
    total = len(_clean(body.get_text(" ")))
    candidates = body.find_all(["main", "article"]) + body.find_all(attrs={"role": "main"})
    best = max(candidates, key=lambda tag: len(tag.get_text(" ")), default=None)
    if best is not None and total and len(_clean(best.get_text(" "))) >= _MAIN_SHARE * total:
        return best
    return body


def _collect(node: Tag, lines: list[str], line: list[str]) -> None:
    """Walk the tree in order: inline text joins the current line, blocks and rows start new ones."""
    for child in node.children:
        if isinstance(child, NavigableString):
            line.append(str(child))
        elif isinstance(child, Tag):
            if child.name == "br":
                _flush(lines, line)
            elif child.name == "table":
                _flush(lines, line)
                lines.extend(_table_rows(child))
            elif child.name == "pre":
                _flush(lines, line)
                lines.append(child.get_text().strip("\n"))
            elif child.name in _BLOCKS:
                _flush(lines, line)
                _collect(child, lines, line)
                _flush(lines, line)
            else:
                _collect(child, lines, line)


def _table_rows(table: Tag) -> list[str]:
    """Each row as its cells joined by ' | ' (nested tables flattened into their cell)."""
    rows = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = [_clean(cell.get_text(" ")) for cell in row.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append(" | ".join(cells))
    caption = table.find("caption")
    return ([_clean(caption.get_text(" "))] if caption else []) + rows


def _flush(lines: list[str], line: list[str]) -> None:
    if text := _clean("".join(line)):
        lines.append(text)
    line.clear()


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
