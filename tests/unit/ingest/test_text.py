"""Text clean-up, the garbage check and word counts."""

from __future__ import annotations

import pytest

from coderai_desktop.ingest.text import looks_garbled, normalise, word_count

THAI_JUNK = "«“√ “√«‘™“°“√"  # Thai text from a PDF whose font maps it to Mac Roman symbols


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("one\r\ntwo\rthree\n", "one\ntwo\nthree"),
        ("a\x00b\x08c\x0bd\x1fe\x7ff\ufeffg", "abcdefg"),
        ("tab\tstays", "tab\tstays"),
        ("The ﬁrst ﬂoor ﬀ ﬃ", "The first floor ff ffi"),
        ("\ufef7\ufee0", "\u0644\u0623\u0644"),  # Arabic presentation forms become letters
        ("10² m³ ½ Ⅻ ＡＢＣ", "10² m³ ½ Ⅻ ＡＢＣ"),  # compatibility forms outside the glyph ranges stay
        ("trailing   \nspaces\t\n", "trailing\nspaces"),
        ("one\n\n\n\n\ntwo", "one\n\ntwo"),
        ("  \n padded \n  ", "padded"),
    ],
)
def test_normalise(raw: str, clean: str) -> None:
    assert normalise(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        THAI_JUNK * 4,
        "\ufffd" * 3 + "Mostly fine words but with replacement characters here" + "\ufffd" * 3,
        "\ue000" * 50,
    ],
)
def test_garbage_looks_garbled(text: str) -> None:
    assert looks_garbled(text)


def test_a_short_line_of_junk_needs_a_lower_minimum() -> None:
    assert not looks_garbled(THAI_JUNK)
    assert looks_garbled(THAI_JUNK, minimum_characters=8)


@pytest.mark.parametrize(
    "text",
    [
        "The ministry announced a new national education policy today (2024), effective next year.",
        "Министерство образования объявило о новой политике в области школьного образования.",
        "教育部今天宣布了新的国家教育政策，全国学校将在明年实施改革。家长和教师普遍表示支持。",
        "भारत सरकार ने आज नई राष्ट्रीय शिक्षा नीति की घोषणा की है। मंत्रालय के अनुसार स्कूलों में बदलाव होंगे।",
        "กระทรวงศึกษาธิการประกาศนโยบายการศึกษาใหม่สำหรับโรงเรียนทั่วประเทศในปีหน้า ผู้ปกครองและครูเห็นด้วย",
        "Table 3: 12.5% | 7.25% | 3.1% — totals (n = 1,204); see p. 14.",
    ],
    ids=["english", "russian", "chinese", "hindi", "thai", "numbers"],
)
def test_real_text_does_not_look_garbled(text: str) -> None:
    assert not looks_garbled(text, minimum_characters=8)


@pytest.mark.parametrize(
    ("text", "count"),
    [("", 0), ("One two  three.", 3), ("l'État, c'est moi", 5), ("co-operate 2024", 3), ("Привет, мир", 2)],
)
def test_word_count(text: str, count: int) -> None:
    assert word_count(text) == count
