"""HTML reader: the visible main text of a page, with its title, in whatever encoding it came."""

from __future__ import annotations

from pathlib import Path

import pytest

from coderai_desktop.ingest.readers import html
from tests.fakes import documents
from tests.unit.ingest.helpers import read_one

ARTICLE = "<p>The council approved the new school budget after a long debate on Tuesday evening.</p>"


def page_text(tmp_path: Path, body: str, **options: str) -> str:
    return read_one(html.read, documents.html_file(tmp_path, "page.html", body, **options)).text


def test_the_title_comes_first(tmp_path: Path) -> None:
    assert page_text(tmp_path, ARTICLE, title="Council news") == "Council news\n\n" + ARTICLE[3:-4]


def test_a_title_repeated_as_the_heading_appears_once(tmp_path: Path) -> None:
    text = page_text(tmp_path, "<h1>Council news</h1>" + ARTICLE, title="Council news")

    assert text.count("Council news") == 1


def test_a_title_that_begins_the_first_word_is_still_kept(tmp_path: Path) -> None:
    # The title is left out only when the first line is the title, not when it merely starts alike.
    text = page_text(tmp_path, "<p>Budgets were cut in 2023.</p>", title="Budget")

    assert text == "Budget\n\nBudgets were cut in 2023."


@pytest.mark.parametrize(
    "hidden",
    [
        "<script>var concealed = 1;</script>",
        "<style>.concealed { color: red }</style>",
        "<noscript>Concealed: enable JavaScript</noscript>",
        '<p style="display: none">Concealed paragraph</p>',
        '<div style="color:red;VISIBILITY: hidden">Concealed block</div>',
        "<p hidden>Concealed paragraph</p>",
        '<span aria-hidden="true">Concealed icon</span>',
        "<template><p>Concealed template</p></template>",
    ],
)
def test_what_a_reader_does_not_see_is_dropped(tmp_path: Path, hidden: str) -> None:
    text = page_text(tmp_path, f"<p>Shown before.</p>{hidden}<p>Shown after.</p>")

    assert text == "Shown before.\nShown after."


def test_page_furniture_is_dropped_and_the_article_kept_whole(tmp_path: Path) -> None:
    body = f"""
    <header>Site banner</header>
    <nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article>
      <header><h1>Budget approved</h1></header>
      {ARTICLE}
      <footer><p>Reporting by Ana Souza.</p></footer>
    </article>
    <aside>Most read stories</aside>
    <footer>Copyright 2024 Example News</footer>"""

    assert page_text(tmp_path, body).splitlines() == [
        "Budget approved",
        ARTICLE[3:-4],
        "Reporting by Ana Souza.",
    ]


def test_a_menu_made_of_links_is_dropped(tmp_path: Path) -> None:
    menu = "".join(f'<a href="/topic/{n}">Topic {n}</a> ' for n in range(12))
    paragraphs = [documents.prose(seed, 50) for seed in range(3)]
    body = f'<div class="topics">{menu}</div><div>' + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"

    assert page_text(tmp_path, body).splitlines() == paragraphs


def test_tables_become_rows_of_cells(tmp_path: Path) -> None:
    body = (
        "<table><caption>Votes by country</caption>"
        "<tr><th>Country</th><th>Votes</th></tr><tr><td>Brazil</td><td>1 200</td></tr>"
        "<tr><td>Chile</td><td><b>340</b></td></tr></table>"
    )

    assert page_text(tmp_path, body).splitlines() == [
        "Votes by country",
        "Country | Votes",
        "Brazil | 1 200",
        "Chile | 340",
    ]


@pytest.mark.parametrize(
    ("title", "text", "encoding", "meta_charset", "bom", "detected"),
    [
        ("Título", "Política de ação — “coração”.", "utf-8", None, True, "utf-8"),
        ("Título", "Política de ação — “coração”.", "utf-16-le", None, False, "utf-16-le"),
        ("Menu", "Café naïve – “quotes” cost €5.", "windows-1252", "windows-1252", False, "cp1252"),
        ("予算", "日本語のテキストです。東京都の予算。", "shift_jis", "Shift_JIS", False, "shift_jis"),
        ("预算", "中文内容，北京市的预算。", "utf-8", "gb2312", False, "utf-8"),
    ],
    ids=["utf-8-bom", "utf-16-le-no-bom", "cp1252-declared", "shift-jis-declared", "utf-8-meta-lies-gb2312"],
)
def test_encodings(
    tmp_path: Path, title: str, text: str, encoding: str, meta_charset: str | None, bom: bool, detected: str
) -> None:
    path = documents.html_file(
        tmp_path,
        "page.html",
        f"<p>{text}</p>",
        title=title,
        encoding=encoding,
        meta_charset=meta_charset,
        bom=bom,
    )

    document = read_one(html.read, path)

    assert document.text == f"{title}\n\n{text}"
    assert document.encoding == detected


LETTER = documents.prose(7, 120)  # a long paragraph: obviously the page's main text


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        ("Closed on Monday.", ["Closed on Monday."]),
        (f"{LETTER}<br>Signed, the mayor.", [LETTER, "Signed, the mayor."]),
        (f"<span>{LETTER}</span> <span>Signed, the mayor.</span>", [f"{LETTER} Signed, the mayor."]),
        (f"<center><font size=2>{LETTER}</font></center>Signed.", [LETTER, "Signed."]),
        (
            f'<nav><a href="/">Home</a> <a href="/about">About</a></nav>{LETTER}<br><br>Signed, the mayor.'
            "<footer>Copyright 2024 Town</footer>",
            [LETTER, "Signed, the mayor."],
        ),
        (
            f'<table><tr><td><a href="/">Home</a></td></tr><tr><td>{LETTER}</td></tr></table>',
            ["Home", LETTER],
        ),
        # A teaser <article> must not take the place of the longer text around it.
        (f"{LETTER}<article><p>Read also: the budget.</p></article>", [LETTER, "Read also: the budget."]),
        # Class names that usually mark furniture do not drop the element holding the main text.
        (
            f'<div id="page" class="layout-with-sidebar">{LETTER}<div class="menu"><a href="/">Home</a></div></div>',
            [LETTER],
        ),
    ],
    ids=[
        "short-text-in-body",
        "text-in-body-with-br",
        "spans-in-body",
        "old-font-markup",
        "body-text-between-nav-and-footer",
        "layout-table",
        "body-text-beside-a-small-article",
        "unlikely-class-holding-the-text",
    ],
)
def test_text_outside_paragraphs_is_the_main_text(tmp_path: Path, body: str, lines: list[str]) -> None:
    assert page_text(tmp_path, body, title="Town hall").splitlines() == ["Town hall", "", *lines]


def test_a_mostly_list_page_keeps_its_list(tmp_path: Path) -> None:
    items = [documents.prose(seed, 12) for seed in range(10)]
    body = "<h1>Reading list</h1><ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"

    assert page_text(tmp_path, body).splitlines() == ["Reading list", *items]


@pytest.mark.parametrize(
    ("opening", "closing", "depth"),
    [
        ("<div>", "</div>", 20_000),
        ("<p>", "", 20_000),
        ("<span>", "</span>", 20_000),
        ("<b>", "</b>", 20_000),
        ("<table><tr><td>", "", 20_000),
        ("<ul><li>", "", 20_000),
    ],
    ids=["div", "unclosed-p", "span", "b", "table-cells", "list-items"],
)
def test_deeply_nested_elements_are_read(tmp_path: Path, opening: str, closing: str, depth: int) -> None:
    # Recursion over the tree fails at ~1,000 levels, and quadratic walks took minutes at 20,000 (the
    # integration tests import 100,000 levels through the parser processes).
    body = f"<p>Before.</p>{opening * depth}Deep text.{closing * depth}<p>After.</p>"

    assert page_text(tmp_path, body).split() == ["Before.", "Deep", "text.", "After."]
