"""A database written by the first released schema: rows as plain SQL values, so they never depend on
today's tables. Used to prove that every later migration keeps them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

WHEN = datetime(2024, 5, 1, 9, 30)  # stored as naive UTC on SQLite
TIMES = {"created_at": WHEN}
STAMPED = {"created_at": WHEN, "updated_at": WHEN}
OWNED = {"workspace_id": 1}

# Kept compact: a row per block reads better than a value per line.
# fmt: off
ROWS: dict[str, list[dict[str, Any]]] = {
    "accounts": [
        {"id": 1, "login": "ana", "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
         "last_login_at": WHEN, **TIMES},
    ],
    "workspaces": [
        {"id": 1, "owner_account_id": 1, "name": "ana's workspace", "provider_settings": {"model": "gpt-4o"},
         **TIMES},
    ],
    "projects": [
        {"id": 1, **OWNED, "name": "Climate plans", "description": "Plans adopted by city councils.",
         "domain": "Public policy", "language": "English", "unit_of_observation": "DOCUMENT",
         "status": "SAMPLE_COMPLETE", "token_budget": 2_000_000, **STAMPED},
    ],
    "variables": [
        {"id": 1, **OWNED, "project_id": 1, "position": 0, "name": "plan_title", "type": "TEXT",
         "instructions": "The title.", "categories": [], "confidence_threshold": 0.8, "if_uncertain": "FLAG",
         "if_multiple_values": "FIRST", **STAMPED},
        {"id": 2, **OWNED, "project_id": 1, "position": 1, "name": "sector", "type": "CATEGORY",
         "instructions": "The sector.", "categories": [{"value": "energy"}, {"value": "transport"}],
         "confidence_threshold": 0.7, "if_uncertain": "NULL", "if_multiple_values": "ALL", "max_values": 2,
         "depends_on": {"variable": "plan_title", "operator": "IS_SET"}, **STAMPED},
    ],
    "documents": [
        {"id": 1, **OWNED, "project_id": 1, "file_name": "oslo.pdf", "original_path": "/corpus/oslo.pdf",
         "sha256": "b" * 64, "size_bytes": 48_211, "format": "PDF", "page_count": 3,
         "text": "Oslo Climate Strategy 2030.", "page_offsets": [0, 900, 1800], "status": "READY",
         "warnings": ["page 3 has no text"], "import_metadata": {"city": "Oslo"}, "chunk_count": 1,
         **STAMPED},
    ],
    "document_chunks": [
        {"id": 1, **OWNED, "document_id": 1, "token_budget": 8000, "chunk_index": 0, "char_start": 0,
         "char_end": 27, "token_estimate": 7, "overlap_chars": 0},
    ],
    "processing_jobs": [
        {"id": 1, **OWNED, "project_id": 1, "job_type": "SAMPLE", "status": "COMPLETED",
         "selection": {"mode": "random", "size": 1, "seed": 7}, "settings": {"model": "gpt-4o"},
         "documents_total": 1, "documents_processed": 1, "documents_failed": 0, "consecutive_failures": 0,
         "tokens_in": 1500, "tokens_out": 90, "cost": 0.0123, "started_at": WHEN, "finished_at": WHEN,
         **STAMPED},
    ],
    "job_items": [
        {"id": 1, **OWNED, "job_id": 1, "document_id": 1, "status": "DONE", "attempts": 1,
         "tokens_in": 1500, "tokens_out": 90, "started_at": WHEN, "finished_at": WHEN},
    ],
    "prompts": [
        {"id": 1, **OWNED, "project_id": 1, "variable_id": None, "scope_key": "group:all",
         "variable_names": ["plan_title", "sector"], "version": 1, "system_prompt": "You code plans.",
         "message_template": "{document}", "model": "gpt-4o", "temperature": 0.0, "max_tokens": 800,
         "response_schema": {"type": "object"}, "is_active": True, "reason": "CREATED", **TIMES},
    ],
    "extractions": [
        {"id": 1, **OWNED, "project_id": 1, "job_id": 1, "document_id": 1, "variable_id": 1,
         "value": "Oslo Climate Strategy 2030", "confidence": 0.95, "evidence_quote": "Oslo Climate Strategy",
         "char_start": 0, "char_end": 21, "page": 1, "match_status": "EXACT", "status": "EXTRACTED",
         "prompt_id": 1, "model": "gpt-4o", "temperature": 0.0, "tokens_in": 1500, "tokens_out": 90,
         **TIMES},
        {"id": 2, **OWNED, "project_id": 1, "job_id": 1, "document_id": 1, "variable_id": 2,
         "value": ["energy", "transport"], "confidence": 0.55, "status": "FLAGGED", "match_status": "FUZZY",
         "prompt_id": 1, "tokens_in": 0, "tokens_out": 0, **TIMES},
    ],
    "extraction_feedback": [
        {"id": 1, **OWNED, "extraction_id": 2, "feedback_type": "PARTIALLY_CORRECT",
         "corrected_value": ["energy"], "user_note": "No transport measures.", "account_id": 1, **TIMES},
    ],
    "processing_logs": [
        {"id": 1, **OWNED, "project_id": 1, "job_id": 1, "document_id": 1, "event_type": "DOC_COMPLETED",
         "message": "2 values", "metadata": {"seconds": 3.2}, **TIMES},
    ],
}
# fmt: on


def insert_rows(connection: Connection) -> None:
    metadata = sa.MetaData()
    for name, rows in ROWS.items():
        table = sa.Table(name, metadata, autoload_with=connection)
        for row in rows:  # one by one: rows of a table may set different columns
            connection.execute(table.insert().values(row))


def stored_rows(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """The rows of ROWS as the database holds them now (each with the columns ROWS gives it)."""
    metadata = sa.MetaData()
    found: dict[str, list[dict[str, Any]]] = {}
    for name, rows in ROWS.items():
        table = sa.Table(name, metadata, autoload_with=connection)
        stored = {row.id: row._mapping for row in connection.execute(sa.select(table))}
        found[name] = [
            {column: stored[row["id"]][column] for column in row} if row["id"] in stored else {}
            for row in rows
        ]
    return found
