"""Token estimates that work offline (no tokenizer download at run time).

About four characters per token for Latin script, more tokens for other scripts: a slight
over-estimate, which is the safe side when deciding whether a document fits a model's context.
"""

from __future__ import annotations

import math
import re

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\u0e00-\u0e7f]")
_OTHER_NON_LATIN = re.compile(r"[\u0370-\u052f\u0590-\u06ff\u0900-\u0dff]")  # Greek, Cyrillic, Hebrew...

CHARS_PER_TOKEN = 4.0
NON_LATIN_CHARS_PER_TOKEN = 2.0


def estimate_tokens(text: str) -> int:
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    other = len(_OTHER_NON_LATIN.findall(text))
    latin = len(text) - cjk - other
    return math.ceil(latin / CHARS_PER_TOKEN + other / NON_LATIN_CHARS_PER_TOKEN + cjk)
