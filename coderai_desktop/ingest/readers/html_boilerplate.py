"""Page furniture (menus, banners, share bars, page headers and footers) and where the main text is.

The main text's container is found by where the prose is: each block's own text outside links counts for
the block and for the block around it, so a <div> of paragraphs outweighs one long cookie notice, and text
written straight into <body>, a table cell or a <font> counts like any paragraph. That container and the
elements around it are never dropped as furniture, and <main>/<article> is read alone only when it holds
that container: dropping boilerplate can never lose the page's obvious main text.

Every walk is iterative and linear in the size of the page (no get_text per element).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from dataclasses import dataclass

from bs4 import NavigableString, Tag

from coderai_desktop.ingest.readers.html_text import BLOCKS, CELLS, clean

_BOILERPLATE = {"nav", "aside"}
_BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
_LINK_LISTS = {"ul", "ol", "div", "section", "table"}
_LINK_DENSITY = 0.6
_UNLIKELY = re.compile(
    r"-ad-|banner|breadcrumb|combx|comment|community|cookie|disqus|extra|footer|gdpr|header|legends|menu|"
    r"related|remark|replies|rss|share|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|"
    r"agegate|pagination|pager|popup|login|signup|subscribe|newsletter|nav",
    re.I,
)
_MAYBE = re.compile(r"and|article|body|column|content|main|shadow", re.I)
_SCORED = BLOCKS | CELLS | {"body"}
_Test = Callable[[Tag, bool], bool]


def page_furniture(body: Tag) -> tuple[Tag, set[int]]:
    """The element to read the main text from, and the id() of each furniture element to leave out."""
    container = _prose_container(body)
    protected = {id(container), *(id(tag) for tag in container.parents)}
    dropped = _marked(body, protected, set(), _furniture)
    sizes = _sizes(body, dropped)  # link density of what is left once menus and banners are gone
    dropped |= _marked(body, protected, dropped, lambda tag, _inside: _mostly_links(tag, sizes))
    chain = [container, *container.parents]
    candidates = [tag for tag in chain if isinstance(tag, Tag) and _main_candidate(tag)]
    return (candidates[-1] if candidates else body), dropped


@dataclass
class _Size:
    text: int = 0
    linked: int = 0


def _sizes(body: Tag, skipped: Set[int]) -> dict[int, _Size]:
    """Characters of text, and of link text, under each element (by id), in one post-order walk."""
    sizes = {id(body): _Size()}
    frames = [(body, iter(body.children), False)]
    while frames:
        tag, children, in_link = frames[-1]
        child = next(children, None)
        if child is None:
            frames.pop()
            if frames:
                parent, size = sizes[id(frames[-1][0])], sizes[id(tag)]
                parent.text, parent.linked = parent.text + size.text, parent.linked + size.linked
        elif isinstance(child, NavigableString):
            length = _length(child)
            sizes[id(tag)].text += length
            sizes[id(tag)].linked += length if in_link else 0
        elif isinstance(child, Tag) and id(child) not in skipped:
            sizes[id(child)] = _Size()
            frames.append((child, iter(child.children), in_link or child.name == "a"))
    return sizes


def _prose_container(body: Tag) -> Tag:
    """The block with the most text outside links, counting its own and its child blocks' text."""
    own: dict[int, int] = {id(body): 0}
    parent_block: dict[int, int] = {}
    blocks = [body]
    frames = [(iter(body.children), body, False)]
    while frames:
        children, block, in_link = frames[-1]
        child = next(children, None)
        if child is None:
            frames.pop()
        elif isinstance(child, NavigableString):
            own[id(block)] += 0 if in_link else _length(child)
        elif isinstance(child, Tag):
            inner = block
            if child.name in _SCORED:
                inner, own[id(child)], parent_block[id(child)] = child, 0, id(block)
                blocks.append(child)
            frames.append((iter(child.children), inner, in_link or child.name == "a"))
    score = dict(own)
    for block_id, parent in parent_block.items():
        score[parent] += own[block_id]
    # Of equals, the last: a wrapper with no text of its own ties with the one block it wraps.
    best = max(reversed(blocks), key=lambda tag: score[id(tag)])
    return best if score[id(best)] else body  # only links: no block is the main text


def _marked(body: Tag, protected: Set[int], skipped: Set[int], is_marked: _Test) -> set[int]:
    """The id() of each element the test marks (never a protected one), not looking inside marked or
    skipped ones. The test is told whether the element is inside an <article> or <main>."""
    marked: set[int] = set()
    stack = [(body, False)]
    while stack:
        tag, inside_article = stack.pop()
        for child in tag.children:
            if not isinstance(child, Tag) or id(child) in skipped:
                continue
            if id(child) not in protected and is_marked(child, inside_article):
                marked.add(id(child))
            else:
                stack.append((child, inside_article or child.name in ("article", "main")))
    return marked


def _furniture(tag: Tag, inside_article: bool) -> bool:
    """Menus, banners, share bars and page footers: by tag, role, class or id."""
    role = str(tag.get("role", "")).lower()
    page_level = tag.name in ("header", "footer") and not inside_article
    return tag.name in _BOILERPLATE or role in _BOILERPLATE_ROLES or page_level or _unlikely(tag)


def _unlikely(tag: Tag) -> bool:
    """Class and id names that mark page furniture (the patterns Mozilla Readability uses)."""
    if tag.name in ("body", "a", "article", "main"):
        return False
    names = " ".join([*tag.get_attribute_list("class"), str(tag.get("id", ""))])
    return bool(names.strip()) and bool(_UNLIKELY.search(names)) and not _MAYBE.search(names)


def _mostly_links(tag: Tag, sizes: dict[int, _Size]) -> bool:
    size = sizes[id(tag)]
    return tag.name in _LINK_LISTS and size.text > 0 and size.linked / size.text > _LINK_DENSITY


def _main_candidate(tag: Tag) -> bool:
    return tag.name in ("main", "article") or str(tag.get("role", "")).lower() == "main"


def _length(text: str) -> int:
    return len(clean(text))
