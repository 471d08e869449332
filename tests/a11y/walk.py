"""Walks the app's accessibility tree as a screen reader does, over the real AT-SPI bus.

    dbus-run-session -- python -m tests.a11y.walk DATA_DIR OUT.json

Starts a virtual display (Xvfb) and the AT-SPI bus, runs tests/a11y/app_under_test.py on them, and for
each state it shows writes every element a screen reader would stop on: role, name, states.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.append("/usr/lib/python3/dist-packages")  # Debian's python3-pyatspi (and its gi) for this Python
import pyatspi  # noqa: E402

ROLES = {
    "push button",
    "toggle button",
    "check box",
    "radio button",
    "text",
    "entry",
    "password text",
    "combo box",
    "spin button",
    "list item",
    "page tab",
    "menu item",
    "table cell",
    "tree item",
}
DEADLINE_S = 60


def _launcher() -> str:
    for path in ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher"):
        if Path(path).exists():
            return path
    raise SystemExit("at-spi-bus-launcher introuvable : installez at-spi2-core")


def _node(node: Any) -> dict[str, Any]:
    states = node.getState()
    return {
        "role": node.getRoleName(),
        "name": node.name or "",
        "description": node.description or "",
        "showing": states.contains(pyatspi.STATE_SHOWING),
        "checked": states.contains(pyatspi.STATE_CHECKED),
        "enabled": states.contains(pyatspi.STATE_ENABLED),
    }


def _walk(node: Any, found: list[dict[str, Any]], window: str) -> None:
    for child in node:
        if child is None:
            continue
        try:
            role = child.getRoleName()
            if role in ("frame", "dialog"):
                window = child.name or ""
            if role in ROLES:
                found.append(_node(child) | {"window": window})
            _walk(child, found, window)
        except Exception:  # noqa: BLE001 - an element gone while walking (a closed dialog)
            continue


def _application() -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.name == "Bilan Clas":
                return app
        time.sleep(0.1)  # waiting for the app to register on the bus (a condition, polled)
    raise SystemExit("l'application n'est pas apparue sur le bus d'accessibilité")


def main() -> int:
    data_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    display = ":" + os.read(read_fd, 16).decode().strip()
    bus = subprocess.Popen([_launcher(), "--launch-immediately"], stderr=subprocess.DEVNULL)
    env = os.environ | {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1"}
    app_process = subprocess.Popen(
        [sys.executable, "-m", "tests.a11y.app_under_test", str(data_dir)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert app_process.stdin is not None
    assert app_process.stdout is not None
    states: dict[str, list[dict[str, Any]]] = {}
    try:
        if app_process.stdout.readline().strip() != "started":
            raise SystemExit("l'application n'a pas démarré")
        app = _application()
        while True:
            app_process.stdin.write("next\n")
            app_process.stdin.flush()
            line = app_process.stdout.readline().strip()
            if not line.startswith("ready "):
                break
            found: list[dict[str, Any]] = []
            _walk(app, found, "")
            states[line.removeprefix("ready ")] = found
    finally:
        for process in (app_process, bus, xvfb):
            process.terminate()
            process.wait(timeout=30)
    out.write_text(json.dumps(states, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
