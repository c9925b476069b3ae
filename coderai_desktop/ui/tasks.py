"""The one way the GUI runs background work: start a coroutine, keep it alive, report back on the GUI thread.

Like Anki's CollectionOp/QueryOp: a named task replaces (cancels) the previous run of the same name;
failures that a person can act on (CoderAIError) are shown as a message, anything else goes to the
excepthook (logged, and shown with its details). Everything a task's end changes (`on_ended`, then the
outcome's callback, then `busy`) changes in one callback, so nobody sees the task done and the window not.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtWidgets import QWidget

from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.ui.widgets.messages import show_error

T = TypeVar("T")
logger = logging.getLogger(__name__)


Explain = Callable[[BaseException], CoderAIError | None]


def report_failure(
    parent: QWidget | None, title: str, error: BaseException, explain: Explain | None = None
) -> None:
    """Show an expected failure as a message (and one `explain` puts in plain words: a full disk, a
    read-only or damaged database); send anything else to the excepthook."""
    if not isinstance(error, CoderAIError) and explain is not None:
        error = explain(error) or error
    if isinstance(error, CoderAIError):
        show_error(parent, title, str(error))
    else:
        sys.excepthook(type(error), error, error.__traceback__)


class TaskRunner:
    def __init__(self, explain: Explain | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._named: dict[str, asyncio.Task[Any]] = {}
        self._explain = explain  # storage failures in plain words (AppContext.storage_problem)
        self._scope = ""

    def scoped(self, scope: str) -> TaskRunner:
        """A runner for widgets that live beside others of their kind (a shared project's pages beside
        mine): its task names are its own, while `busy` and `cancel_all` of this runner still cover them."""
        child = TaskRunner(self._explain)
        child._tasks, child._named, child._scope = self._tasks, self._named, f"{self._scope}{scope}/"
        return child

    def report_failure(self, parent: QWidget | None, title: str, error: BaseException) -> None:
        """What an `on_failure` callback calls for failures it does not handle itself."""
        report_failure(parent, title, error, self._explain)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def run(
        self,
        coroutine: Coroutine[Any, Any, T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_ended: Callable[[asyncio.Task[T]], None] | None = None,
        error_title: str = "Something went wrong",
        parent: QWidget | None = None,
        name: str | None = None,
    ) -> asyncio.Task[T]:
        """Run `coroutine`; without `on_failure`, a CoderAIError is shown under `error_title`. `on_ended`
        runs first whichever way it ends, cancelled included."""
        name = None if name is None else self._scope + name
        if name is not None and (previous := self._named.get(name)) is not None:
            previous.cancel()
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        if name is not None:
            self._named[name] = task

        def finished(done: asyncio.Task[T]) -> None:
            try:
                if on_ended is not None:
                    on_ended(done)
                if not done.cancelled():
                    _report_outcome(done)
            finally:
                self._tasks.discard(done)
                if name is not None and self._named.get(name) is done:
                    del self._named[name]

        def _report_outcome(done: asyncio.Task[T]) -> None:
            error = done.exception()
            if error is None:
                if on_success is not None:
                    on_success(done.result())
            elif on_failure is not None:
                on_failure(error)
            else:
                report_failure(parent, error_title, error, self._explain)

        task.add_done_callback(finished)
        return task

    def cancel_all(self) -> list[asyncio.Task[Any]]:
        """Cancel every task; the tasks, to wait for what they do on their way out (a run pausing)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        return tasks
