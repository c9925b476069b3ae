"""A document as a run codes it: its text, where its pages start, and its chunks for the model's budget."""

from __future__ import annotations

from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.pipeline.extractor import DocumentInput


async def load_document(documents: DocumentService, document_id: int, policy: ChunkPolicy) -> DocumentInput:
    text = await documents.document_text(document_id)
    chunks = await documents.chunks(document_id, policy)
    return DocumentInput(document_id, text.file_name, text.text, text.page_offsets, chunks)
