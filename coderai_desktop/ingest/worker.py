"""What runs in a parser process: limits first, then one file read and chunked per task."""

from __future__ import annotations

import logging
import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from coderai_desktop.domain.enums import DocumentFormat, DocumentProblem
from coderai_desktop.ingest.chunking import ChunkPolicy, ChunkSpan, plan_chunks
from coderai_desktop.ingest.near_duplicates import signature
from coderai_desktop.ingest.parsed import ParsedDocument, ReadFailure, ReadOptions
from coderai_desktop.ingest.readers import reader_for


@dataclass
class WorkerOutput:
    document: ParsedDocument
    chunks: list[ChunkSpan]
    signature: bytes | None = None  # of the text, for near-duplicates (None: no text)


def initialise(memory_mb: int) -> None:
    """Cap the process's memory, so a decompression bomb fails one file instead of the computer."""
    logging.disable(logging.CRITICAL)  # the parent logs outcomes; children have no log file
    try:
        import resource
    except ImportError:  # Windows: no RLIMIT_AS; the per-file timeout still applies
        return
    limit = memory_mb * 1024 * 1024
    with suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    with suppress(OSError):
        os.nice(5)  # reading files must never make the window feel slow


def parse_file(
    path: str, kind: DocumentFormat, options: ReadOptions, policy: ChunkPolicy
) -> list[WorkerOutput]:
    try:
        documents = reader_for(kind)(Path(path), options)
    except MemoryError:
        raise ReadFailure(
            DocumentProblem.TOO_LARGE,
            "Reading the file needed more memory than allowed; it may be a zip bomb.",
        ) from None
    return [
        WorkerOutput(document, plan_chunks(document.text, policy), signature(document.text))
        if document.text
        else WorkerOutput(document, [])
        for document in documents
    ]
