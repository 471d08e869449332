"""The app as a screen reader sees it, driven step by step (tests/a11y/walk.py sends « next » on stdin).

    python -m tests.a11y.app_under_test DATA_DIR

Shows the main window (xcb, accessibility on), then one state per « next »: the list, every page of a
half-filled questionnaire, the login dialog, the new-action dialog, the structure profile, the list of points
before transmitting.
Answers « ready NAME » on stdout once the state is painted.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QDialog

from desktop.app import _application
from desktop.dialogs import NewActionDialog, ProfileDialog
from desktop.main_window import MainWindow
from desktop.sync_dialogs import LoginDialog


def main() -> int:
    data_dir = Path(sys.argv[1])
    app = _application()
    window = MainWindow(data_dir)
    window.resize(1366, 768)
    window.show()
    while window.sync is None:
        app.processEvents()
    assert window.session is not None
    row = next(r for r in window.session.rows() if r.title == "Coup de pouce lecture")
    dialogs: list[QDialog] = []

    def close_dialogs() -> None:
        while dialogs:
            dialogs.pop().reject()

    def show_dialog(dialog: QDialog) -> None:
        close_dialogs()
        dialogs.append(dialog)
        dialog.show()

    def page(index: int) -> Callable[[], None]:
        def go() -> None:
            assert window.questionnaire_view is not None
            window.questionnaire_view.form.navigator.setCurrentRow(index)

        return go

    steps: list[tuple[str, Callable[[], None]]] = [("liste", lambda: None)]
    steps.append(("ouvert", lambda: window.open_questionnaire(row.uuid)))
    count = len(window.session.store.definition(row.uuid).pages)
    steps += [(f"page-{i + 1}", page(i)) for i in range(count)]
    assert window.sync is not None
    sync = window.sync
    steps.append(("connexion", lambda: show_dialog(LoginDialog(sync, "", "", window))))
    steps.append(
        ("nouvelle-action", lambda: show_dialog(NewActionDialog(window.session.registry.latest(), True, window)))  # type: ignore[union-attr]
    )

    def profile() -> None:
        assert window.session is not None
        show_dialog(ProfileDialog(window.session.store, window.session.registry.latest()[0], window))

    steps.append(("profil", profile))

    def problems() -> None:
        close_dialogs()
        assert window.questionnaire_view is not None
        window.questionnaire_view.request_transmit()  # incomplete: the list of points, not modal

    steps.append(("points", problems))
    pending = list(steps)

    def advance() -> None:
        line = sys.stdin.readline()
        if not line or not pending:
            close_dialogs()
            app.quit()
            return
        name, action = pending.pop(0)
        action()
        QTimer.singleShot(0, lambda: print(f"ready {name}", flush=True))  # after the state is laid out

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(advance)
    print("started", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
