"""Near-duplicate documents: the same text in another file (a re-saved PDF, an answer pasted twice, an
article under another header). Each text gets a MinHash signature of its word shingles; LSH banding finds
the pairs worth comparing, and a pair is the same text when its estimated Jaccard similarity reaches
SAME_TEXT_JACCARD.

A small numpy MinHash rather than `datasketch`: datasketch imports SciPy when it is imported, and the
bundle leaves SciPy out (about 140 MB in the venv, 73 MB in the bundle; packaging/bundle_trim.py) for the
few lines of hashing needed here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

SHINGLE_WORDS = 5
# Shorter texts ("No", "Don't know", "Prices are too high") are one shingle, the whole text: they match
# only a text that is the same after normalisation, never one that differs by a word.
SHORT_TEXT_WORDS = 8
NUM_PERM = 128
# 16 bands of 8 rows: a pair at Jaccard 0.9 shares a band with probability 0.9999, a pair at 0.5 with 0.06.
BANDS, ROWS = 16, 8
# The same text: at most about one shingle in ten differs (a header, a page number, a line re-wrapped).
SAME_TEXT_JACCARD = 0.9
# A long book's shingles are hashed a block at a time (8 MB of temporaries, not gigabytes).
SHINGLES_AT_ONCE = 8192

_WORD = re.compile(r"\w+")
_SEED = np.random.default_rng(1_414_213)  # fixed: signatures are stored and compared across sessions
# Multiply-shift hashing: h(x) = (a*x + b) mod 2**64, its top 32 bits; a odd.
_A = _SEED.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _SEED.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
# A shingle's hash is a polynomial in its words' hashes (mod 2**64): computed for all shingles at once.
_POWERS = [np.uint64(pow(1_000_003, k, 1 << 64)) for k in range(SHINGLE_WORDS)]
_BAND_MIX = _SEED.integers(1, 2**63, size=ROWS, dtype=np.uint64)


def words(text: str) -> list[str]:
    """The text as compared: case folded, punctuation and spacing dropped."""
    return _WORD.findall(text.casefold())


def signature(text: str) -> bytes:
    """The text's MinHash signature: NUM_PERM little-endian uint32 values."""
    tokens = words(text)
    if len(tokens) < SHORT_TEXT_WORDS:
        shingles = np.array([_hash(" ".join(tokens))], dtype=np.uint64)
    else:
        hashes = np.array([_hash(token) for token in tokens], dtype=np.uint64)
        count = len(tokens) - SHINGLE_WORDS + 1
        shingles = hashes[:count].copy()
        for k in range(1, SHINGLE_WORDS):
            shingles += hashes[k : k + count] * _POWERS[k]
    minima = [
        ((shingles[start : start + SHINGLES_AT_ONCE, None] * _A + _B) >> np.uint64(32)).min(axis=0)
        for start in range(0, len(shingles), SHINGLES_AT_ONCE)
    ]
    return np.min(minima, axis=0).astype("<u4").tobytes()


def similarity(first: bytes, second: bytes) -> float:
    """The estimated Jaccard similarity of two texts' shingles."""
    return float(np.mean(_as_array(first) == _as_array(second)))


def originals(signatures: Sequence[tuple[int, bytes]]) -> dict[int, int]:
    """Which document each near-duplicate repeats: id -> the id of the earliest document (lowest id) it
    matches that repeats no other. Documents absent from the answer repeat nothing.

    Only documents that share a band with another are compared, each with the originals already found in
    its bands, so a thousand copies of one answer cost a thousand comparisons, not a million."""
    ordered = sorted(signatures)
    if len(ordered) < 2:
        return {}
    matrix = np.frombuffer(b"".join(sig for _, sig in ordered), dtype="<u4").reshape(len(ordered), NUM_PERM)
    keys = _band_keys(matrix)
    shared = np.zeros(len(ordered), dtype=bool)
    for band in keys.T:
        _, inverse, counts = np.unique(band, return_inverse=True, return_counts=True)
        shared |= counts[inverse] > 1
    found: dict[int, int] = {}
    buckets: dict[tuple[int, int], list[int]] = {}  # (band, key) -> originals in it, earliest first
    for row in np.flatnonzero(shared).tolist():
        band_keys = [(band, int(key)) for band, key in enumerate(keys[row])]
        match = _earliest_match(matrix, row, (buckets.get(key, ()) for key in band_keys))
        if match is not None:
            found[ordered[row][0]] = ordered[match][0]
            continue
        for key in band_keys:
            buckets.setdefault(key, []).append(row)
    return found


def _earliest_match(matrix: npt.NDArray[np.uint32], row: int, buckets: Iterable[Sequence[int]]) -> int | None:
    best: int | None = None
    for bucket in buckets:
        for other in bucket:
            if best is not None and other >= best:
                break
            if np.count_nonzero(matrix[row] == matrix[other]) >= SAME_TEXT_JACCARD * NUM_PERM:
                best = other
                break
    return best


def _band_keys(matrix: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """One 64-bit key per band of each signature (documents whose key is equal share the band)."""
    bands = matrix.astype(np.uint64).reshape(len(matrix), BANDS, ROWS)
    return (bands * _BAND_MIX).sum(axis=2, dtype=np.uint64)


def _as_array(sig: bytes) -> npt.NDArray[np.uint32]:
    return np.frombuffer(sig, dtype="<u4")


@lru_cache(maxsize=1 << 16)
def _hash(token: str) -> int:
    """A stable 64-bit hash (Python's own hash() changes between processes)."""
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
