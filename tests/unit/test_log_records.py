"""The log file holds one JSON object per line: what the line concerns (log_context), how long it took and
its traceback as fields, every value masked. The console (--debug) stays plain text."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from coderai_desktop.log_context import current_log_context, log_context
from coderai_desktop.logging_setup import MASK, close_logging, configure_logging, register_secret
from coderai_desktop.persistence.engine import Database
from tests.unit.json_log import json_lines

logger = logging.getLogger("coderai_desktop.tests.records")


def test_a_record_is_one_line_with_time_level_logger_and_message() -> None:
    with json_lines() as records:
        logger.warning("first line\nsecond line")

    (record,) = records()
    assert record.pop("time") is not None
    assert record == {
        "level": "WARNING",
        "logger": "coderai_desktop.tests.records",
        "message": "first line\nsecond line",
    }


def test_the_time_is_local_with_its_offset_and_milliseconds() -> None:
    with json_lines() as records:
        logger.info("now")

    time = records()[0]["time"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", time)
    assert abs((datetime.now().astimezone() - datetime.fromisoformat(time)).total_seconds()) < 60


def test_lines_name_the_job_document_and_variable_of_their_context() -> None:
    with json_lines() as records:
        with log_context(job=3):
            logger.info("job")
            with log_context(document=12, variable="title"):
                logger.info("call")
                with log_context(variable="budget"):
                    logger.info("inner")
            logger.info("job again")
        logger.info("outside")

    about = [{k: v for k, v in r.items() if k in {"job", "document", "variable"}} for r in records()]
    assert about == [
        {"job": 3},
        {"job": 3, "document": 12, "variable": "title"},
        {"job": 3, "document": 12, "variable": "budget"},
        {"job": 3},
        {},
    ]
    assert current_log_context() == {}


async def test_tasks_and_threads_started_in_a_context_keep_it() -> None:
    async def in_a_task() -> None:
        await asyncio.sleep(0)
        logger.info("task")

    with json_lines() as records, log_context(job=1, document=2):
        await asyncio.gather(in_a_task(), asyncio.to_thread(logger.info, "thread"))

    assert sorted((r["message"], r["job"], r["document"]) for r in records()) == [
        ("task", 1, 2),
        ("thread", 1, 2),
    ]


async def test_database_work_keeps_the_context_of_its_caller() -> None:
    database = Database(sa.create_engine("sqlite://"))
    try:
        with json_lines() as records, log_context(job=4):
            await database.run(lambda _session: logger.info("stored"))
    finally:
        database.close()

    assert [(r["message"], r["job"]) for r in records()] == [("stored", 4)]


def test_a_duration_and_a_traceback_are_fields_of_their_own() -> None:
    with json_lines() as records:
        logger.info("answered", extra={"duration_ms": 1234})
        try:
            raise ValueError("bad answer")
        except ValueError:
            logger.exception("failed")

    answered, failed = records()
    assert answered["duration_ms"] == 1234
    assert "duration_ms" not in failed
    assert failed["exc"].startswith("Traceback (most recent call last):")
    assert failed["exc"].endswith("ValueError: bad answer")


def test_secrets_are_masked_in_every_field_even_where_json_would_escape_them() -> None:
    # Quotes, a backslash and a non-ASCII letter: JSON escapes them, so masking must come before encoding.
    secret = f'Zq"{uuid.uuid4().hex}\\é'
    register_secret(secret)
    with json_lines() as records, log_context(variable=secret):
        logger.info("key=%s and sk-live0123456789abcdef", secret)
        try:
            raise PermissionError(f"rejected {secret} with api_key={secret}")
        except PermissionError:
            logger.exception("call failed with Authorization: Bearer abcdefgh12345678")

    (first, second) = records()
    assert first["message"] == f"key={MASK} and {MASK}"
    assert first["variable"] == MASK
    assert second["message"] == f"call failed with Authorization: Bearer {MASK}"
    assert second["exc"].endswith(f"PermissionError: rejected {MASK} with api_key={MASK}")
    text = json.dumps(records(), ensure_ascii=False)
    assert secret not in text and json.dumps(secret)[1:-1] not in text


def test_the_log_file_is_json_and_the_console_plain_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = configure_logging(tmp_path / "logs", console=True)
    try:
        with log_context(document=5):
            logger.warning("slow answer", extra={"duration_ms": 61000})
    finally:
        close_logging()

    (line,) = log_file.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert (record["message"], record["document"], record["duration_ms"]) == ("slow answer", 5, 61000)
    console = capsys.readouterr().err
    assert console.endswith("WARNING  coderai_desktop.tests.records: slow answer\n")
