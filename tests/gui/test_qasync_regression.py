"""PySide6 6.12.0 on Python 3.11 decrements None's refcount on every Python override of a Qt virtual
method; a qasync loop (whose timer is such an override) dies with `none_dealloc` after a few thousand
callbacks. This pumps 30,000 of them through the same kind of loop the app runs."""

from __future__ import annotations

import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication

CALLBACKS = 30_000


def test_qasync_loop_survives_30000_callbacks(qapp: QApplication) -> None:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    done: asyncio.Future[int] = loop.create_future()
    calls = 0

    def tick() -> None:
        nonlocal calls
        calls += 1
        if calls < CALLBACKS:
            loop.call_soon(tick)  # each one goes through qasync's timerEvent override
        else:
            done.set_result(calls)

    none_before = sys.getrefcount(None)
    loop.call_soon(tick)
    try:
        assert loop.run_until_complete(done) == CALLBACKS
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    # A healthy binding leaves None's refcount where it was; the broken one drops it by ~1 per callback.
    assert sys.getrefcount(None) > none_before - CALLBACKS // 10
