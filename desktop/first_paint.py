"""Run something once a window is on screen: on the event-loop turn after its first expose.

A QTimer.singleShot(0) queued before show() runs *before* the first paint (posted events come
first), so slow work queued that way keeps the window blank. The first expose is painted at once
(Qt repaints synchronously on it), so work queued from there runs after the window is visible.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QAbstractItemView, QWidget


class _OnFirstExpose(QObject):
    def __init__(self, window: QWindow, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._callback = callback
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Expose and isinstance(watched, QWindow) and watched.isExposed():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
        return False


def after_first_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    """Call `callback` on the event-loop turn after `widget`'s window is first exposed (and painted)."""
    widget.winId()  # creates the native window, so that its expose events can be watched
    handle = widget.windowHandle()
    assert handle is not None  # a top-level widget with a winId has one
    _OnFirstExpose(handle, callback)


class _OnRowsPainted(QObject):
    def __init__(self, view: QAbstractItemView, callback: Callable[[], None]) -> None:
        super().__init__(view)
        self._view = view
        self._callback = callback
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        model = self._view.model()
        if event.type() == QEvent.Type.Paint and model is not None and model.rowCount() > 0:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
        return False


def after_rows_painted(view: QAbstractItemView, callback: Callable[[], None]) -> None:
    """Call `callback` on the event-loop turn after `view` first paints with rows in it."""
    _OnRowsPainted(view, callback)
