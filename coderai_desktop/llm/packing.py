"""Several short documents in one call: the plan's system prompt (so the cached prefix is the one every call
of the run shares), an instruction to code each block on its own, then one message of numbered data
blocks, and a schema that answers one object per block id.

A block's text is escaped so that it can neither close its block nor open another: the only
`<document id="N">` tags in the message are ours, so a text cannot forge an id.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from coderai_desktop.llm.prompts import CallPlan, as_data, prefix_messages
from coderai_desktop.llm.schema import group_schema

DOCUMENTS = "documents"
ID = "id"
# The task once more after the blocks (see prompts.CLOSING).
CLOSING = (
    "Now code each document above on its own, as the instructions say, and answer with the JSON object only."
)
# Answers cost about half their max_tokens (what the estimates assume): a pack holds no more documents
# than an answer of this many tokens has room for.
PACK_OUTPUT_TOKENS = 16_000
# Tags as_data leaves alone because they carry attributes or another case: <document id="2">, </Document >.
_TAG = re.compile(r"<(/?)(document)(?=[\s/>])", re.IGNORECASE)


def packed_plan(plan: CallPlan) -> CallPlan:
    """`plan`'s call for several documents at once: the same system prompt, variables and temperature."""
    names = ", ".join(plan.variable_names)
    instruction = (
        'The message that follows holds several separate documents, each in its own block <document id="N">. '
        f"Code each document on its own for these variables: {names}.\n"
        "Use only what the document's own block says: never a value or a quote from another block.\n"
        f'Answer with one JSON object {{"{DOCUMENTS}": [...]}} holding one object per document: its "{ID}", '
        "then one property per variable."
    )
    return dataclasses.replace(plan, instruction=instruction, schema=packed_schema(plan))


def packed_schema(plan: CallPlan) -> dict[str, Any]:
    """{"documents": [{"id": N, <the plan's variables>}]}, in the shapes strict mode accepts."""
    variables = group_schema(list(plan.variables))
    document = {
        **variables,
        "required": [ID, *variables["required"]],
        "properties": {ID: {"type": "integer", "description": "The id of the document's block."}}
        | variables["properties"],
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [DOCUMENTS],
        "properties": {DOCUMENTS: {"type": "array", "items": document}},
    }


def packed_messages(packed: CallPlan, texts: list[str], *, strict: bool = True) -> list[dict[str, str]]:
    """The messages of a packed call (`packed` from packed_plan): the prefix, then block i+1 for texts[i]."""
    blocks = [block(number, text) for number, text in enumerate(texts, 1)]
    return [
        *prefix_messages(packed, strict=strict),
        {"role": "user", "content": "\n\n".join([*blocks, CLOSING])},
    ]


def block(number: int, text: str) -> str:
    data = _TAG.sub(r"<\1 \2", as_data(text))
    return f'<document {ID}="{number}">\n{data}\n</document>'


def packed_max_tokens(plan: CallPlan, documents: int) -> int:
    return min(PACK_OUTPUT_TOKENS, plan.max_tokens * documents)


def most_documents(plans: list[CallPlan]) -> int:
    """How many documents a packed answer of every plan has room for."""
    return max(1, min(PACK_OUTPUT_TOKENS // max(1, plan.max_tokens // 2) for plan in plans))
