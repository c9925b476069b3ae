"""Near-duplicate signatures: the same text saved again matches, other texts do not, short texts only
when they are the same."""

from __future__ import annotations

import os
import random
import subprocess
import sys

from coderai_desktop.ingest.near_duplicates import (
    NUM_PERM,
    SAME_TEXT_JACCARD,
    originals,
    signature,
    similarity,
)

ARTICLE = """The city council approved the new housing plan on Tuesday after a debate that lasted more than
six hours. Under the plan, developers who build more than forty flats must set aside a fifth of them for
families on modest incomes, and the council will lease public land at a discount to cooperatives. Critics
on the opposition benches argued that the quota would slow construction at a time when rents are rising
faster than wages, while tenant associations said the measure did not go far enough. The mayor defended
the compromise, noting that the previous scheme had produced fewer than two hundred affordable homes in a
decade. Officials expect the first projects under the new rules to break ground next spring, once the
regional government has reviewed the zoning changes. A separate motion to cap short-term holiday lets in
the old town was postponed until the autumn session, when a study of its effect on local shops is due."""


def resaved(text: str) -> str:
    """What a PDF saved again looks like: other line breaks and spacing, a page header and number."""
    lines = text.split()
    wrapped = "\n".join(" ".join(lines[start : start + 7]) for start in range(0, len(lines), 7))
    return f"CITY GAZETTE — Page 3\n\n{wrapped.replace(' ', '  ')}\n\n3"


def test_a_resaved_text_with_other_spacing_and_a_header_matches() -> None:
    assert similarity(signature(ARTICLE), signature(resaved(ARTICLE))) >= SAME_TEXT_JACCARD


def test_case_and_punctuation_do_not_matter() -> None:
    shouted = ARTICLE.upper().replace(",", "").replace(".", " .")
    assert signature(shouted) == signature(ARTICLE)


def test_a_different_article_on_the_same_subject_does_not_match() -> None:
    other = ARTICLE.replace("approved", "rejected").split(". ")
    random.Random(4).shuffle(other)  # the same sentences in another order: a different text
    assert similarity(signature(ARTICLE), signature(". ".join(other))) < SAME_TEXT_JACCARD


def test_different_survey_answers_do_not_match() -> None:
    answers = [
        "I think the prices of food went up too much this year and my wages did not follow at all",
        "Prices of food went up a lot this year but my wages went up too so I am fine with it",
        "The price of rent is what worries me most, food is fine, but rent took half of my wages",
    ]
    signed = [(number, signature(answer)) for number, answer in enumerate(answers)]
    assert originals(signed) == {}


def test_short_texts_match_only_when_they_are_the_same() -> None:
    assert signature("Don't know.") == signature("don't   know")
    assert similarity(signature("Don't know"), signature("Don't know yet")) == 0.0
    assert similarity(signature("No"), signature("Yes")) == 0.0


def test_a_short_answer_inside_a_longer_one_does_not_match_it() -> None:
    short = "prices are far too high now"
    longer = f"{short} and my family can no longer afford to eat out or to travel in the summer holidays"
    assert similarity(signature(short), signature(longer)) < 0.1


def test_a_signature_is_the_same_in_another_process() -> None:
    """Signatures are stored and compared across sessions: nothing salted per process may enter them."""
    code = "import sys; from coderai_desktop.ingest.near_duplicates import signature; "
    code += "print(signature(sys.stdin.read()).hex())"
    there = subprocess.run(
        [sys.executable, "-c", code],
        input=ARTICLE,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout.strip()
    assert len(signature(ARTICLE)) == NUM_PERM * 4
    assert there == signature(ARTICLE).hex()


def test_each_copy_points_to_the_earliest_document_it_repeats() -> None:
    other = "An entirely different report about the regional football league and its new stadium plans " * 2
    signed = [
        (3, signature(resaved(ARTICLE))),
        (1, signature(ARTICLE)),
        (2, signature(other)),
        (5, signature(ARTICLE + " Updated on Wednesday.")),
        (7, signature("no")),
        (8, signature("No.")),
    ]
    assert originals(signed) == {3: 1, 5: 1, 8: 7}


def test_a_thousand_copies_of_one_answer_all_repeat_the_first() -> None:
    signed = [(number, signature("Nothing to add.")) for number in range(1, 1001)]
    found = originals(signed)
    assert set(found.values()) == {1} and len(found) == 999
