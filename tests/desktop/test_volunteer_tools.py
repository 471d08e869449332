"""What a volunteer looks for (issue 15 items 5, 6 and 7): rename an action, open the attached document,
« Ouvrir le PDF » after an export, « Vérifier et transmettre » at the end of the last page and « tout est
complet », import a JSON file from the app, French file dialogs, status bar messages beside the data folder,
the banner of a questionnaire waiting while nobody is logged in, F5 offline with nothing to send. Real widgets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.questionnaire_view import QuestionnaireView
from desktop.sync_controller import NOTHING_TO_SEND_OFFLINE
from forms.exchange import export_document
from forms.lifecycle import Status
from forms.store import Store
from forms.store.outbox import Outbox
from sync import account, credentials
from tests.conftest import OFFICIAL_FORM
from tests.desktop.conftest import ESSAI_FORM, ESSAI_VERSION
from tests.desktop.driver import Modals, answer, button_named, click, type_into
from tests.desktop.storesetup import set_status
from tests.desktop.texts import english
from tests.forms.sample_answers import complete_answers

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class Opened(QObject):
    """Qt's own hook for the file URLs the app asks the desktop to open (instead of a PDF viewer)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def _opened() -> Opened:
    handler = Opened()
    QDesktopServices.setUrlHandler("file", handler, "open")
    return handler


def test_rename_an_action(store: Store, open_window: Callable[[], MainWindow], modals: Modals) -> None:
    info = store.create(form_id=OFFICIAL_FORM, title="Acompagnement scolaire")
    window = open_window()
    window.open_questionnaire(info.uuid)
    view = window.questionnaire_view
    assert view is not None

    def retitle(dialog: QInputDialog) -> None:
        edit = dialog.findChild(type(view.form.widgets["nom_structure"].edit))  # type: ignore[attr-defined]
        type_into(edit, "Accompagnement scolaire — Bissy")
        button_named(dialog, "OK").click()

    modals.when_shown(QInputDialog, retitle)
    click(view.rename_button)
    modals.check()
    assert store.get(info.uuid).title == "Accompagnement scolaire — Bissy"
    assert view.title_label.text() == "Accompagnement scolaire — Bissy"
    assert window.windowTitle().startswith("Accompagnement scolaire — Bissy")
    assert window.home.rows[info.uuid].title == "Accompagnement scolaire — Bissy"


def test_open_the_attached_document(
    store: Store, open_view: Callable[[str], QuestionnaireView], tmp_path: Path
) -> None:
    document = tmp_path / "Compte rendu AG.pdf"
    document.write_bytes(PDF)
    view = open_view(store.create(form_id=ESSAI_FORM, form_version=ESSAI_VERSION, title="Essai").uuid)
    widget = view.form.widgets["q_file"]
    assert widget.open_button.isHidden()  # type: ignore[attr-defined]  # nothing to open yet
    answer(view.form, "q_file", document)
    assert widget.open_button.isVisibleTo(view)  # type: ignore[attr-defined]
    opened = _opened()
    try:
        click(widget.open_button)  # type: ignore[attr-defined]
    finally:
        QDesktopServices.unsetUrlHandler("file")
    (url,) = opened.urls
    copy = Path(url.toLocalFile())
    assert copy.name == "Compte rendu AG.pdf"  # its own name, so that the viewer knows it
    assert copy.read_bytes() == PDF


def test_open_the_pdf_after_an_export(
    store: Store, open_window: Callable[[], MainWindow], modals: Modals, qtbot: QtBot, tmp_path: Path
) -> None:
    info = store.create(form_id=OFFICIAL_FORM, title="Export", answers=complete_answers())
    window = open_window()
    window.open_questionnaire(info.uuid)
    view = window.questionnaire_view
    assert view is not None
    target = tmp_path / "bilan"
    seen: dict[str, list[tuple[str, str]]] = {}

    def save_as(dialog: QFileDialog) -> None:
        seen["dialog"] = [(w, t) for w, t in english(dialog) if t != "OK"]
        dialog.selectFile(str(target))
        dialog.accept()

    def open_it(box: QMessageBox) -> None:
        seen["box"] = english(box)
        button_named(box, "Ouvrir le PDF").click()

    opened = _opened()
    try:
        modals.when_shown(QFileDialog, save_as)
        view._export_pdf()
        modals.check()
        modals.when_shown(QMessageBox, open_it, timeout=30)
        qtbot.waitUntil(lambda: bool(opened.urls) or bool(modals.errors), timeout=30_000)
        modals.check()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert seen == {"dialog": [], "box": []}  # « Look in: », « Files of type: » no more
    assert [Path(u.toLocalFile()) for u in opened.urls] == [target.with_suffix(".pdf")]
    assert target.with_suffix(".pdf").read_bytes().startswith(b"%PDF")


def test_the_last_page_ends_with_verify_and_transmit(
    store: Store, open_view: Callable[[str], QuestionnaireView], modals: Modals
) -> None:
    view = open_view(store.create(form_id=OFFICIAL_FORM, title="Fin", answers=complete_answers()).uuid)
    assert view.complete_label.isVisible()
    assert view.complete_label.text() == "Tout est complet : vous pouvez transmettre."
    view.form.navigator.setCurrentRow(view.form.navigator.count() - 1)
    assert view.form.next_button.text() == "Vérifier et transmettre…"
    modals.when_shown(QMessageBox, lambda box: button_named(box, "Annuler").click())
    click(view.form.next_button)  # the same confirmation as « Transmettre à la Caf… »
    modals.check()

    empty = open_view(store.create(form_id=OFFICIAL_FORM, title="Vide").uuid)
    assert not empty.complete_label.isVisible()


def test_a_validated_questionnaire_claims_no_saving(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    info = store.create(form_id=OFFICIAL_FORM, title="Validé", answers=complete_answers())
    set_status(store, info.uuid, Status.VALIDE)
    view = open_view(info.uuid)
    assert view.saved_label.isHidden()
    assert view.rename_button.isHidden()
    assert view.form.next_button.text() != "Vérifier et transmettre…"


def test_import_a_json_file_from_the_app(
    store: Store, open_window: Callable[[], MainWindow], modals: Modals, tmp_path: Path
) -> None:
    info = store.create(form_id=OFFICIAL_FORM, title="Venu d'ailleurs", answers=complete_answers())
    document = export_document(store, info.uuid)
    store.delete(info.uuid)
    path = tmp_path / "bilan.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    window = open_window()
    seen: list[list[tuple[str, str]]] = []

    def choose(dialog: QFileDialog) -> None:
        seen.append([(w, t) for w, t in english(dialog) if t != "OK"])
        dialog.selectFile(str(path))
        dialog.accept()

    modals.when_shown(QFileDialog, choose)
    window.import_action.trigger()
    modals.check()
    assert seen == [[]]
    view = window.questionnaire_view
    assert view is not None
    assert view.title_label.text() == "Venu d'ailleurs"
    assert store.answers(view.uuid) == complete_answers()


def test_a_bad_json_file_gets_a_french_message(
    open_window: Callable[[], MainWindow], modals: Modals, tmp_path: Path
) -> None:
    path = tmp_path / "abîmé.json"
    path.write_text("{pas du json", encoding="utf-8")
    window = open_window()
    said: list[str] = []

    def choose(dialog: QFileDialog) -> None:
        dialog.selectFile(str(path))
        dialog.accept()
        modals.when_shown(QMessageBox, lambda box: (said.append(box.text()), button_named(box, "OK").click()))

    modals.when_shown(QFileDialog, choose)
    window.import_action.trigger()
    modals.check()
    assert said == ["Fichier JSON mal formé : abîmé.json, ligne 1, colonne 2."]
    assert window.questionnaire_view is None


def test_status_bar_messages_sit_beside_the_data_folder(open_window: Callable[[], MainWindow]) -> None:
    window = open_window()
    window.resize(1024, 600)
    bar = window.statusBar()
    folder = next(label for label in bar.findChildren(QLabel) if label.text().startswith("Données : "))
    bar.showMessage("Synchronisation terminée : 1 questionnaire transmis.")
    assert folder.isVisible()  # a permanent widget: the message is drawn in the space left of it
    message_width = bar.fontMetrics().horizontalAdvance(bar.currentMessage())
    assert folder.x() > message_width


def test_waiting_without_login_says_so_with_a_button(
    store: Store, open_window: Callable[[], MainWindow], modals: Modals
) -> None:
    info = store.create(form_id=OFFICIAL_FORM, title="À envoyer", answers=complete_answers())
    store.transmit(info.uuid)
    window = open_window()
    window.open_questionnaire(info.uuid)
    view = window.questionnaire_view
    assert view is not None
    assert view.login_banner.isVisible()
    assert "rien ne partira tant que vous ne vous serez pas connecté" in view.login_banner.findChild(QLabel).text()

    from desktop.sync_dialogs import LoginDialog

    modals.when_shown(LoginDialog, lambda dialog: dialog.reject())
    click(view.login_button)
    modals.check()

    store.set_setting(account.SERVER_KEY, "http://127.0.0.1:9")
    store.set_setting(account.EMAIL_KEY, "asso@exemple.fr")
    credentials.save_token("http://127.0.0.1:9", "asso@exemple.fr", "t" * 40)
    window.show_account()
    assert not view.login_banner.isVisible()  # logged in: it will leave at the next sync


def test_f5_offline_says_it_in_a_banner_and_promises_no_sending(
    store: Store, open_window: Callable[[], MainWindow], qtbot: QtBot
) -> None:
    """Finding 23: no modal box on F5; nothing claims « l'envoi sera repris » when the only item was refused."""
    store.set_setting(account.SERVER_KEY, "http://127.0.0.1:9")  # nothing listens there
    store.set_setting(account.EMAIL_KEY, "asso@exemple.fr")
    credentials.save_token("http://127.0.0.1:9", "asso@exemple.fr", "t" * 40)
    refused = store.create(form_id=OFFICIAL_FORM, title="Refusé pour de bon", answers=complete_answers())
    store.transmit(refused.uuid)
    (item,) = Outbox(store).items(refused.uuid)
    Outbox(store).mark_refused(item.op_id, code="campaign_closed", message="La campagne est close.")
    window = open_window()
    window.open_questionnaire(refused.uuid)
    modal: list[str] = []

    def watch() -> None:  # any modal box is noted and closed, so that a failing test reports instead of hanging
        widget = QApplication.activeModalWidget()
        if widget is not None:
            modal.append(type(widget).__name__)
            widget.close()

    watcher = QTimer(window)
    watcher.timeout.connect(watch)
    watcher.start(20)

    def f5() -> str:
        assert window.sync is not None
        window.activateWindow()  # what the window manager does when the user comes back to it (offscreen has none)
        with qtbot.waitSignal(window.sync.failed, timeout=30_000) as blocker:
            QTest.keyClick(window, Qt.Key.Key_F5)
        qtbot.wait(100)  # a box opened by the failure would be caught by the watcher meanwhile
        return str(blocker.args[0])

    message = f5()
    assert modal == []  # the keyboard and the mouse stay free
    assert message == NOTHING_TO_SEND_OFFLINE
    assert window.sync_banner.isVisible()  # above the open questionnaire
    assert window.sync_banner.label.text() == NOTHING_TO_SEND_OFFLINE
    assert "sera repris" not in window.sync_banner.label.text()

    waiting = store.create(form_id=OFFICIAL_FORM, title="En attente", answers=complete_answers())
    store.transmit(waiting.uuid)
    assert "l'envoi sera repris" in f5()  # negative control: now something waits, and it is said
    assert "l'envoi sera repris" in window.sync_banner.label.text()

    click(window.sync_banner.close_button)
    assert not window.sync_banner.isVisible()


def test_a_matrix_says_what_is_missing_only_once_left(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    view = open_view(store.create(form_id=OFFICIAL_FORM, title="Grille").uuid)
    form = view.form
    matrix = form.widgets["situations"]
    form.go_to_page(form.binding.definition.page_of("situations").id)
    groups = list(matrix.groups.values())  # type: ignore[attr-defined]
    click(groups[0].button(1))
    click(groups[1].button(2))  # still filling the grid: from one row to the next
    assert matrix.message_label.isHidden()
    assert matrix.property("state") != "error"
    other = next(
        w for w in form.page_views[form.pages.currentIndex()].widgets.values() if w is not matrix and not w.isHidden()
    )
    other.focus_input()  # moving on to another question
    assert not matrix.message_label.isHidden()  # now it says the grid is not finished
