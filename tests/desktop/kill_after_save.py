"""Child process of test_autosave: types into the first field of a questionnaire, waits until the app
says it is saved, prints "Enregistré" and kills itself (SIGKILL: no close, no flush, no teardown).

    python -m tests.desktop.kill_after_save DATA_DIR UUID TEXT
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from desktop.app import _application
from desktop.main_window import MainWindow
from tests.support.typing import type_text


def main() -> None:
    data_dir, uuid, text = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = _application()
    window = MainWindow(data_dir)
    window.show()

    def fill() -> None:
        if window.session is None:
            QTimer.singleShot(10, fill)
            return
        window.open_questionnaire(uuid)
        view = window.questionnaire_view
        assert view is not None
        view.form.saved.connect(acknowledged)
        edit = view.form.widgets["nom_structure"].edit  # type: ignore[attr-defined]
        edit.setFocus()
        type_text(edit, text)

    def acknowledged(_moment: object) -> None:
        print("Enregistré", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    QTimer.singleShot(0, fill)
    QTimer.singleShot(30_000, app.quit)  # never hang a test run
    app.exec()
    sys.exit(1)


if __name__ == "__main__":
    main()
