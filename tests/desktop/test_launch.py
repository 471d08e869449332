"""Starting the app (issue 15 items 8 and 11): one French line without a display; a second launch on the
same data folder brings the running window to the front and leaves. Real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.app import NO_DISPLAY
from desktop.single_instance import ALREADY_RUNNING, LOCK_NAME, SingleInstance

ROOT = Path(__file__).resolve().parents[2]


def _launch(data_dir: Path, **env: str) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=clean | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_without_a_display_one_french_line(tmp_path: Path) -> None:
    launched = _launch(tmp_path / "data")
    out, err = launched.communicate(timeout=60)
    assert launched.returncode == 1
    assert err.strip() == NO_DISPLAY  # not Qt's English abort (rc 134)
    assert out == ""


def test_a_local_display_that_does_not_exist_is_no_display(tmp_path: Path) -> None:
    launched = _launch(tmp_path / "data", DISPLAY=":987")
    _, err = launched.communicate(timeout=60)
    assert (launched.returncode, err.strip()) == (1, NO_DISPLAY)


def test_a_second_launch_raises_the_running_window(qtbot: QtBot, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    running = SingleInstance(data_dir)
    assert running.acquire()
    assert (data_dir / LOCK_NAME).exists()
    try:
        with qtbot.waitSignal(running.activated, timeout=60_000):
            second = _launch(data_dir, QT_QPA_PLATFORM="offscreen")
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=60_000)
        out, _ = second.communicate(timeout=10)
        assert second.returncode == 0
        assert out.strip() == ALREADY_RUNNING
        assert not SingleInstance(data_dir).acquire()  # the lock is held while the app runs
    finally:
        running.release()
    other = SingleInstance(data_dir)
    assert other.acquire()  # released on closing: the next launch is the app
    other.release()
