"""Near-duplicate benchmark: signatures and matching for 50,000 short survey answers.

Answers of 10-60 words are drawn from a vocabulary; one in ten is pasted again later with other case,
spacing and punctuation, and one in ten is a short stock answer ("Don't know"). Prints the time to sign
every answer (the importer does this in its worker processes, here in one process), the time to match all
signatures (what runs after each import and before each run, in the app process), and what was found
against what was planted.

Run: python tests/benchmarks/bench_duplicates.py [--answers 50000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from coderai_desktop.ingest.near_duplicates import originals, signature

WORDS = [
    "rent",
    "food",
    "prices",
    "wages",
    "work",
    "family",
    "children",
    "school",
    "bus",
    "train",
    "car",
    "fuel",
    "heating",
    "winter",
    "summer",
    "city",
    "village",
    "doctor",
    "hospital",
    "waiting",
    "list",
    "tax",
    "pension",
    "savings",
    "bank",
    "loan",
    "job",
    "manager",
    "shift",
    "night",
    "week",
    "month",
    "year",
    "neighbours",
    "street",
    "park",
    "safety",
    "police",
    "noise",
    "shop",
    "market",
    "local",
    "council",
    "mayor",
    "election",
    "news",
    "internet",
    "phone",
    "bill",
    "water",
    "electricity",
    "gas",
    "garden",
    "holiday",
    "friends",
    "parents",
    "health",
    "sleep",
    "stress",
    "time",
]
STOCK = ["Don't know.", "No.", "Nothing to add", "Yes", "N/A", "Prefer not to say"]


def answers(count: int, rng: random.Random) -> tuple[list[str], int]:
    """The answers, and how many are planted copies of an earlier long answer."""
    texts: list[str] = []
    planted = 0
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1 and texts:
            earlier = rng.choice(texts)
            if len(earlier.split()) >= 10:
                texts.append("  " + earlier.upper().replace(" ", "  ").replace(".", "!") + "\n")
                planted += 1
                continue
        if roll < 0.2:
            texts.append(rng.choice(STOCK))
            continue
        length = rng.randint(10, 60)
        texts.append(" ".join(rng.choice(WORDS) for _ in range(length)) + ".")
    return texts, planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=50_000)
    args = parser.parse_args()
    texts, planted = answers(args.answers, random.Random(7))

    started = time.perf_counter()
    signed = [(number, signature(text)) for number, text in enumerate(texts, start=1)]
    signing = time.perf_counter() - started
    started = time.perf_counter()
    found = originals(signed)
    matching = time.perf_counter() - started

    stock = sum(text in STOCK for text in texts) - len({text for text in texts if text in STOCK})
    print(f"{len(texts):,} answers, {sum(len(t.split()) for t in texts) / len(texts):.0f} words on average")
    print(f"signatures: {signing:.2f} s ({signing / len(texts) * 1e6:.0f} µs per answer)")
    print(f"matching:   {matching:.2f} s")
    print(
        f"found {len(found):,} near-duplicates: {planted:,} planted copies + {stock:,} repeated stock answers"
    )


if __name__ == "__main__":
    main()
