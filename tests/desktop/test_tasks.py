"""desktop/tasks.py: one thread per lane (a long PDF never holds a sync back), a French default on failure."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.tasks import TaskContext, TaskRunner
from forms.logs import configure, log_path


def test_a_busy_pdf_lane_does_not_hold_the_network_lane_back(qtbot: QtBot) -> None:
    tasks = TaskRunner()
    release = threading.Event()

    def long_pdf(_context: TaskContext) -> str:
        release.wait(30)
        return "pdf"

    def sync(_context: TaskContext) -> str:
        return "sync"

    done: list[str] = []
    tasks.run(long_pdf, on_success=done.append, lane="pdf")
    tasks.run(long_pdf, on_success=done.append, lane="pdf")  # waits its turn behind the first
    tasks.run(sync, on_success=done.append)
    # Waiting on what on_success records (connected before the task starts), not on the signal: a
    # quick task may emit it before a waitSignal placed after run() is connected.
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    assert done == ["sync"]
    release.set()
    assert tasks.wait()
    qtbot.waitUntil(lambda: len(done) == 3)
    assert done == ["sync", "pdf", "pdf"]


def test_a_failure_nobody_handles_is_logged_and_told(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = configure(data_dir, "tests")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))  # the modal click

    def broken(_context: TaskContext) -> None:
        raise OSError("disque plein")

    tasks = TaskRunner()
    tasks.run(broken, lane="store")
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)  # not waitSignal: it may connect after the emit
    for handler in list(root.handlers):
        handler.flush()
        root.removeHandler(handler)
        handler.close()
    assert shown == ["L'opération n'a pas abouti : disque plein\nRien de ce que vous avez saisi n'est perdu."]
    assert "OSError: disque plein" in log_path(data_dir).read_text(encoding="utf-8")
