"""The split of a variable's reviewed documents into a refinement set (the refiner reads them) and a held-out
set (only used to measure the proposals), stratified by what the review found in each document, the same for
the same seed and reviews."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.refinement import ErrorKind, FeedbackItem, Split

CORRECT = "correct"
# A document with several kinds of error (its entities') is filed under the first in this order.
SEVERITY = [kind.value for kind in ErrorKind]


def split_documents(
    items: Iterable[FeedbackItem], seed: int, held_out_share: float, *, never_held_out: Iterable[int] = ()
) -> Split:
    """Whole documents go to one side (their entities with them: the refiner never reads a held-out text).
    Documents are ordered by stratum, shuffled inside it, and every k-th goes to the held-out set, so each
    stratum is held out in proportion. `never_held_out`: documents the current prompt quotes already."""
    if not 0 < held_out_share < 1:
        raise InvalidInputError(f"The held-out share is between 0 and 1 (e.g. 0.3), not {held_out_share}.")
    strata: dict[int, str] = {}
    for item in items:
        kind = CORRECT if item.kind is None else item.kind.value
        current = strata.get(item.document_id)
        if current is None or (kind != CORRECT and _before(kind, current)):
            strata[item.document_id] = kind
    pinned = set(never_held_out)
    rng = random.Random(seed)
    draws = {document: rng.random() for document in sorted(strata)}  # whatever order the items came in
    ordered = sorted(
        (document for document in strata if document not in pinned),
        key=lambda document: (strata[document], draws[document]),
    )
    offset = rng.random()
    held_out = {
        document
        for index, document in enumerate(ordered)
        if math.floor((index + 1) * held_out_share + offset) > math.floor(index * held_out_share + offset)
    }
    refinement = sorted(set(strata) - held_out)
    return Split(seed, tuple(refinement), tuple(sorted(held_out)))


def _before(kind: str, other: str) -> bool:
    return other == CORRECT or SEVERITY.index(kind) < SEVERITY.index(other)
