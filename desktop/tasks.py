"""The one way the app runs long work (network, bulk PDF) off the GUI thread.

    handle = tasks.run(work, on_success=..., on_failure=..., on_progress=..., lane="pdf")

`work(context)` runs on a worker thread: it must not touch any widget; it reports with
`context.report(done, total, text)` and checks `context.cancelled()` to stop early. The callbacks
run on the GUI thread (queued signals). Connect bound methods, not closures over widgets.

Each lane has one thread: work of one kind runs in order, a sync never waits behind a bulk PDF,
and no two tasks of a lane ever hold the store's connection at once. Without `on_failure`, a
failure is logged with its traceback and told in French.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from forms.logs import getLogger

T = TypeVar("T")
Lane = Literal["network", "pdf", "store"]
LANES: tuple[Lane, ...] = ("network", "pdf", "store")
_log = getLogger("app.tasks")


class TaskContext:
    def __init__(self, signals: _Signals, cancel_event: threading.Event) -> None:
        self._signals = signals
        self._cancel = cancel_event

    def report(self, done: int, total: int, text: str = "") -> None:
        self._signals.progressed.emit(done, total, text)

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Signals(QObject):
    progressed = Signal(int, int, str)
    """Progress: done, total, a French line for the user."""
    succeeded = Signal(object)
    """The work's return value."""
    failed = Signal(object)
    """The exception the work raised."""


class TaskHandle(QObject):
    """A running task: cancel it, or ask whether it is still running."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.signals = _Signals(self)
        self._cancel = threading.Event()
        self.running = True
        # The queued runnable's Python side, kept alive until it has run: a task waiting its turn in
        # a busy lane would otherwise be collected, and run without its attributes.
        self.runnable: QRunnable | None = None
        self.signals.succeeded.connect(self._on_finished)
        self.signals.failed.connect(self._on_finished)

    def cancel(self) -> None:
        self._cancel.set()

    def _on_finished(self, _result: object) -> None:
        self.running = False
        self.runnable = None


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[TaskContext], Any], handle: TaskHandle) -> None:
        super().__init__()
        self.work = work
        self.signals = handle.signals
        self.context = TaskContext(handle.signals, handle._cancel)

    def run(self) -> None:
        try:
            result = self.work(self.context)
        except BaseException as error:  # noqa: BLE001 - every failure reaches the GUI as a signal
            self.signals.failed.emit(error)
        else:
            self.signals.succeeded.emit(result)


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pools: dict[Lane, QThreadPool] = {}
        for lane in LANES:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
            self.pools[lane] = pool

    def run(
        self,
        work: Callable[[TaskContext], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        lane: Lane = "network",
    ) -> TaskHandle:
        handle = TaskHandle(self)
        if on_success is not None:
            handle.signals.succeeded.connect(on_success)
        handle.signals.failed.connect(on_failure if on_failure is not None else self._default_failure)
        if on_progress is not None:
            handle.signals.progressed.connect(on_progress)
        handle.runnable = _Runnable(work, handle)
        self.pools[lane].start(handle.runnable)
        return handle

    def _default_failure(self, error: BaseException) -> None:
        _log.error("background task failed", exc_info=(type(error), error, error.__traceback__))
        parent = self.parent()
        QMessageBox.warning(
            parent if isinstance(parent, QWidget) else None,
            "Bilan Clas",
            f"L'opération n'a pas abouti : {error}\nRien de ce que vous avez saisi n'est perdu.",
        )

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for every task of every lane to end (at exit and in tests)."""
        return all(pool.waitForDone(msecs) for pool in self.pools.values())
