"""`coderai` with no command opens the GUI: the login dialog appears, and the database is opened and
migrated behind it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

STARTUP_SECONDS = 60
SHOWN_AND_OPEN = ("Login dialog shown", "Database open behind the login dialog")


def test_the_gui_starts_offscreen_and_stays_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CODERAI_DATA_DIR": str(data)}
    process = subprocess.Popen(
        [sys.executable, "-m", "coderai_desktop"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    log = data / "logs" / "coderai.log"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            if log.exists() and all(line in log.read_text(encoding="utf-8") for line in SHOWN_AND_OPEN):
                break
            time.sleep(0.2)
        assert process.poll() is None, process.communicate()[0].decode(errors="replace")
        text = log.read_text(encoding="utf-8")
        assert text.index(SHOWN_AND_OPEN[0]) < text.index(SHOWN_AND_OPEN[1]), "the window is up first"
    finally:
        process.terminate()
        process.wait(timeout=30)
    engine = sa.create_engine(f"sqlite:///{data / 'coderai.sqlite3'}")
    with engine.connect() as connection:
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()
    assert revision is not None, "the schema was migrated behind the window"
