"""Autosave: typing is saved after a 300 ms pause, and at once on focus change, page change and close;
what was acknowledged is on disk for any other process, and survives the process being killed."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.form_view import DEBOUNCE_MS
from desktop.main_window import MainWindow
from desktop.questionnaire_view import QuestionnaireView
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.driver import click, type_into

NO_KEYCHAIN = "keyring.backends.null.Keyring"  # a child process never touches the real keychain
NAME = "Association « Réussir Ensemble » — Œuvre à Chambéry"
SAVED = re.compile(r"^Enregistré à (\d\d):(\d\d):(\d\d)$")


def open_official(store: Store, open_view: Callable[[str], QuestionnaireView]) -> tuple[str, QuestionnaireView]:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Autosave").uuid
    return uuid, open_view(uuid)


def test_typing_is_saved_after_a_pause(
    store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot
) -> None:
    uuid, view = open_official(store, open_view)
    edit = view.form.widgets["nom_structure"].edit  # type: ignore[attr-defined]
    type_into(edit, NAME)
    typed_at = time.monotonic()
    assert view.form.has_pending()
    assert store.answers(uuid) == {}  # not while the person is typing

    qtbot.waitUntil(lambda: store.answers(uuid) == {"nom_structure": NAME}, timeout=3000)
    assert time.monotonic() - typed_at >= DEBOUNCE_MS / 1000 * 0.9  # Qt's coarse timers may fire 5 % early
    assert not view.form.has_pending()
    match = SAVED.match(view.saved_label.text())
    assert match, view.saved_label.text()
    shown = dt.datetime.now().replace(hour=int(match[1]), minute=int(match[2]), second=int(match[3]), microsecond=0)
    assert abs((dt.datetime.now() - shown).total_seconds()) < 5


def test_leaving_a_field_saves_at_once(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid, view = open_official(store, open_view)
    type_into(view.form.widgets["nom_structure"].edit, NAME)  # type: ignore[attr-defined]
    click(view.form.widgets["statut_structure"].group.buttons()[0])  # type: ignore[attr-defined]
    assert store.answers(uuid) == {"nom_structure": NAME, "statut_structure": "associatif"}
    type_into(view.form.widgets["nom_caf"].edit, "Caf de la Savoie")  # type: ignore[attr-defined]
    view.form.widgets["numero_organisme"].edit.setFocus()  # type: ignore[attr-defined]
    assert store.answers(uuid)["nom_caf"] == "Caf de la Savoie"
    assert SAVED.match(view.saved_label.text())


def test_changing_page_saves_at_once(store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot) -> None:
    uuid, view = open_official(store, open_view)
    edit = view.form.widgets["nom_structure"].edit  # type: ignore[attr-defined]
    type_into(edit, NAME)
    QTest.keyClick(edit, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert view.form.current_page_id() == "localisation_action"
    assert store.answers(uuid) == {"nom_structure": NAME}
    # The page itself is remembered a moment later (not during the switch), even if the window stays open.
    qtbot.waitUntil(lambda: store.get(uuid).current_page == "localisation_action", timeout=3000)


def test_closing_the_window_saves_what_was_typed(
    store: Store, open_window: Callable[[], MainWindow], qtbot: QtBot
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Fermeture").uuid
    window = open_window()
    window.open_questionnaire(uuid)
    assert window.questionnaire_view is not None
    type_into(window.questionnaire_view.form.widgets["nom_structure"].edit, NAME)  # type: ignore[attr-defined]
    assert store.answers(uuid) == {}
    assert window.close()
    assert store.answers(uuid) == {"nom_structure": NAME}


def read_in_another_process(data_dir: Path, uuid: str) -> dict[str, object]:
    code = (
        "import json, sys, pathlib\n"
        "from forms.registry import FormRegistry\n"
        "from forms.store import Store\n"
        "store = Store.open(pathlib.Path(sys.argv[1]), FormRegistry.load())\n"
        "print(json.dumps(store.answers(sys.argv[2])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_dir), uuid], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout)


def test_another_process_reads_what_was_saved_while_the_window_is_open(
    store: Store, open_window: Callable[[], MainWindow], data_dir: Path, qtbot: QtBot
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Lecture").uuid
    window = open_window()
    window.open_questionnaire(uuid)
    view = window.questionnaire_view
    assert view is not None
    type_into(view.form.widgets["nom_structure"].edit, NAME)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(SAVED.match(view.saved_label.text())), timeout=3000)
    assert read_in_another_process(data_dir, uuid) == {"nom_structure": NAME}
    assert window.isVisible()


def test_reopening_returns_to_the_same_questionnaire_and_page(
    store: Store, open_window: Callable[[], MainWindow], data_dir: Path
) -> None:
    store.create(form_id=OFFICIAL_FORM, title="Autre action")
    uuid = store.create(form_id=OFFICIAL_FORM, title="Reprise").uuid
    window = open_window()
    window.open_questionnaire(uuid)
    assert window.questionnaire_view is not None
    window.questionnaire_view.form.go_to_page("donnees_activite")
    window.resize(760, 560)  # within the offscreen screen (800 × 800), as restoreGeometry keeps it on screen
    assert window.close()
    assert "last_questionnaire" in (data_dir / "settings.ini").read_text()

    again = open_window()
    assert again.questionnaire_view is not None
    assert again.questionnaire_view.uuid == uuid
    assert again.questionnaire_view.form.current_page_id() == "donnees_activite"
    assert again.stack.currentWidget() is again.questionnaire_view
    assert (again.width(), again.height()) == (760, 560)  # the window's size is remembered too


def test_an_acknowledged_edit_survives_the_process_being_killed(store: Store, data_dir: Path) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Coupure").uuid
    child = subprocess.run(
        [sys.executable, "-m", "tests.desktop.kill_after_save", str(data_dir), uuid, NAME],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": NO_KEYCHAIN},
    )
    assert child.returncode == -9, child.stderr
    assert child.stdout.strip() == "Enregistré"
    assert read_in_another_process(data_dir, uuid) == {"nom_structure": NAME}
    assert store.integrity_ok()


def test_focus_follows_the_person(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    """The harness itself: typing goes where the keyboard focus is (else the tests above prove nothing)."""
    _uuid, view = open_official(store, open_view)
    edit = view.form.widgets["nom_structure"].edit  # type: ignore[attr-defined]
    type_into(edit, "x")
    assert QApplication.focusWidget() is edit
