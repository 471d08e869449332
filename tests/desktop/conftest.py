"""Fixtures of the desktop tests: the French application, main windows and questionnaire views shown
offscreen over a real store in a temporary data folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.bindings import QuestionnaireBinding
from desktop.main_window import MainWindow
from desktop.questionnaire_view import QuestionnaireView
from forms.store import Store
from tests.conftest import TEST_FORMS
from tests.desktop.driver import Modals

ESSAI_FORM = "clas-essai"
ESSAI_VERSION = 1  # tests/data/forms/clas-essai-v1.json: every question type, chained conditions


@pytest.fixture(scope="session", autouse=True)
def french_app(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> QApplication:
    """pytest-qt's QApplication, configured as the app configures its own (French translator, style).

    Qt's own settings (the file dialog's history) go to a temporary folder, not to ~/.config.
    """
    from desktop.app import _application

    qt_settings = str(tmp_path_factory.mktemp("qt-settings"))
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, qt_settings)
    return _application()


@pytest.fixture
def essai_in_data_dir(data_dir: Path) -> Path:
    """The test definition clas-essai v1 in DATA/forms, where the app finds definitions received from the server."""
    forms = data_dir / "forms"
    forms.mkdir(parents=True, exist_ok=True)
    shutil.copy(TEST_FORMS / "clas-essai-v1.json", forms)
    return data_dir


def show(qtbot: QtBot, widget: QWidget, *, resize: bool = True) -> None:
    """Show `widget` as a window and make it the active one, so that the keyboard focus works as on a desktop."""
    qtbot.addWidget(widget)
    if resize:
        widget.resize(1200, 820)
    with qtbot.waitExposed(widget):
        widget.show()
    with qtbot.waitActive(widget):
        widget.activateWindow()
    assert widget.isActiveWindow()


@pytest.fixture
def open_window(qtbot: QtBot, data_dir: Path) -> Callable[[], MainWindow]:
    """Opens a main window on the data folder, as the app does, and waits for its list to load."""

    def opener() -> MainWindow:
        window = MainWindow(data_dir)
        show(qtbot, window, resize=False)  # the window's own size, or the one remembered
        qtbot.waitUntil(lambda: window.sync is not None)  # data loaded, services started, last questionnaire reopened
        return window

    return opener


@pytest.fixture
def open_view(qtbot: QtBot, store: Store) -> Iterator[Callable[[str], QuestionnaireView]]:
    """Shows one questionnaire of the `store` fixture in its own window."""
    views: list[QuestionnaireView] = []

    def opener(questionnaire_uuid: str) -> QuestionnaireView:
        view = QuestionnaireView(QuestionnaireBinding(store, questionnaire_uuid))
        show(qtbot, view)
        views.append(view)
        return view

    yield opener
    for view in views:
        view.form._timer.stop()  # nothing may fire after the store is closed


@pytest.fixture
def modals(qtbot: QtBot) -> Iterator[Modals]:
    driver = Modals()
    yield driver
    driver.check()
