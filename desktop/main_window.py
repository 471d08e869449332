"""The main window: the list of bilans, and a questionnaire when one is open.

It appears before the data is loaded (imports of the engine and the store cost more than Qt
itself); the list fills in on the next turn of the event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.first_paint import after_first_paint
from desktop.home import HomeView
from desktop.settings import Settings
from desktop.tasks import TaskRunner

if TYPE_CHECKING:
    from desktop.pdf_actions import PdfActions
    from desktop.questionnaire_view import QuestionnaireView
    from desktop.session import Session
    from desktop.sync_controller import SyncController


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.settings = Settings(data_dir)
        self.tasks = TaskRunner(self)
        self.session: Session | None = None
        self.questionnaire_view: QuestionnaireView | None = None
        self.sync: SyncController | None = None
        self.pdf: PdfActions | None = None
        self._manual_sync = False
        self.setWindowTitle("Bilan Clas")
        self._fit_to_screen()
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)

        self.home = HomeView()
        self.home.new_requested.connect(self.new_action)
        self.home.open_requested.connect(self.open_questionnaire)
        self.home.delete_requested.connect(self.delete_questionnaire)
        self.home.duplicate_requested.connect(self.duplicate)
        self.home.start_from_requested.connect(self.start_from)
        self.home.news_dismissed.connect(self._on_news_dismissed)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.home)
        from desktop.banner import Banner

        self.sync_banner = Banner("Synchronisation")  # a manual sync that failed, said without blocking
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.sync_banner)
        central_layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        toolbar = QToolBar("Actions")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.home_action = self._action(toolbar, "Mes bilans", self.show_home, "Ctrl+L")
        self.new_action_action = self._action(toolbar, "Nouvelle action…", self.new_action, "Ctrl+N")
        self.profile_action = self._action(toolbar, "Profil de la structure…", self.edit_profile, None)
        toolbar.addSeparator()
        self.sync_action = self._action(toolbar, "Synchroniser", self.synchronise, "F5")
        self.login_action = self._action(toolbar, "Se connecter…", self.show_login, None)
        self.logout_action = self._action(toolbar, "Se déconnecter", self.logout, None)
        self.logout_action.setVisible(False)
        toolbar.addSeparator()
        self.export_all_action = self._action(toolbar, "Exporter tous les bilans en PDF…", self.export_all_pdf, None)
        file_menu = self.menuBar().addMenu("&Fichier")
        self.restore_action = file_menu.addAction("Restaurer une sauvegarde…", self.restore_backup)
        self.duplicate_action = file_menu.addAction("Dupliquer l'action sélectionnée…", self.duplicate_selected)
        self.start_from_action = file_menu.addAction(
            "Nouveau bilan à partir du bilan sélectionné…", self.start_from_selected
        )
        file_menu.addSeparator()
        self.indicators_action = file_menu.addAction("Mes indicateurs…", self.show_indicators)
        self.import_action = self._action(toolbar, "Importer un fichier…", self.import_file, None)
        extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")  # « » » on a narrow window
        if extension is not None:
            extension.setAccessibleName("Autres actions")
            extension.setToolTip("Autres actions")
        help_menu = self.menuBar().addMenu("&Aide")
        self.support_action = help_menu.addAction("Informations pour l'assistance…", self.show_support_info)
        from desktop.fitting import ElidedLabel

        folder_label = ElidedLabel(f"Données : {data_dir}")  # a long path is cut, in full in its tooltip
        folder_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        folder_label.setMaximumWidth(280)
        # permanent (on the right): the status bar's messages are drawn beside it, never on top of it
        self.statusBar().addPermanentWidget(folder_label)
        self.home.empty_label.setText("Chargement…")
        after_first_paint(self, self._load)  # the window shows first; the data loads on the next turn

    def bring_to_front(self) -> None:
        """Another launch on the same data folder: show this window instead of opening a second one."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def _fit_to_screen(self) -> None:
        """1180×800 where the screen allows, else the screen's free area (a 1024×600 netbook)."""
        screen = self.screen().availableGeometry()
        width, height = min(1180, screen.width()), min(800, screen.height())
        self.resize(width, height)
        self.setMinimumSize(min(560, width), min(360, height))

    def _action(self, toolbar: QToolBar, text: str, slot: object, shortcut: str | None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text} ({shortcut})")
        action.triggered.connect(slot)
        toolbar.addAction(action)
        return action

    # --- data -------------------------------------------------------------------------------

    def _load(self) -> None:
        from desktop.home import EMPTY_TEXT
        from desktop.session import Session

        if self.session is not None:
            return
        from forms.store.errors import DamagedDatabase

        try:
            self.session = Session(self.data_dir)
        except DamagedDatabase as error:
            from desktop.backup_dialogs import offer_restore_after_damage

            if offer_restore_after_damage(self, self._db_path(), str(error)):
                QTimer.singleShot(0, self._load)  # open the restored file
            return
        except Exception as error:  # noqa: BLE001 - shown to the user, the app stays open
            QMessageBox.critical(self, "Bilan Clas", f"Impossible d'ouvrir les données dans {self.data_dir} :\n{error}")
            return
        self.home.empty_label.setText(EMPTY_TEXT)
        if self.session.registry.set_aside:  # said once, and it stays: the other definitions keep working
            self.definitions_warning = QLabel(" ".join(self.session.registry.set_aside))
            self.definitions_warning.setWordWrap(True)
            self.statusBar().addWidget(self.definitions_warning, 1)
        self.refresh_list()  # with the news not dismissed before the last close: still there
        self.home.tree.setFocus()  # the keyboard starts on the list (Flèches, Entrée)
        QTimer.singleShot(0, self._resume)  # the list paints first; sync and PDF services load after

    def _db_path(self) -> Path:
        from forms.store import DB_FILE_NAME

        return self.data_dir / DB_FILE_NAME

    def restore_backup(self) -> None:
        """Fichier › Restaurer une sauvegarde… : close the store, put the backup in place, reopen."""
        from desktop.backup_dialogs import RestoreDialog, restore_chosen
        from desktop.session import Session

        if self.sync is not None and self.sync.busy():
            QMessageBox.information(self, "Restaurer une sauvegarde", "Attendez la fin de la synchronisation.")
            return
        dialog = RestoreDialog(self._db_path(), self)
        if dialog.exec() != RestoreDialog.DialogCode.Accepted or dialog.chosen() is None:
            return
        if not self._close_questionnaire():
            return
        chosen = dialog.chosen()
        assert chosen is not None
        if self.session is not None:
            self.session.close()
            self.session = None
        restore_chosen(self, self._db_path(), chosen)
        try:
            self.session = Session(self.data_dir)
        except Exception as error:  # noqa: BLE001 - shown to the user, the app stays open
            QMessageBox.critical(self, "Bilan Clas", f"Impossible d'ouvrir les données dans {self.data_dir} :\n{error}")
            return
        for service in (self.sync, self.pdf):
            if service is not None:
                service.store = self.session.store  # the services follow the reopened file
        if self.sync is None:
            QTimer.singleShot(0, self._resume)
        self.show_home()

    def _resume(self) -> None:
        self._start_services()
        last = self.settings.last_questionnaire()
        if last and last in self.home.rows:
            self.open_questionnaire(last)

    def _start_services(self) -> None:
        from desktop.pdf_actions import PdfActions
        from desktop.sync_controller import SyncController
        from desktop.sync_status import SyncStatus

        assert self.session is not None
        self.pdf = PdfActions(self, self.session.store, self.tasks)
        self.sync = SyncController(self.session.store, self.tasks, self)
        self.sync.synced.connect(self._on_synced)
        self.sync.failed.connect(self._on_sync_failed)
        self.sync.login_required.connect(self._on_login_required)
        self.sync.busy_changed.connect(self._on_sync_busy)
        self.statusBar().addPermanentWidget(SyncStatus(self.sync))
        self.sync.start()
        self.show_account()

    def show_support_info(self) -> None:
        """Version, platform, data folder, last sync and the log's last lines, shown and copied."""
        from PySide6.QtGui import QGuiApplication

        from forms.logs import support_report
        from sync.engine import last_sync

        synced = last_sync(self.session.store) if self.session is not None else None
        when = f"{synced.astimezone():%d/%m/%Y %H:%M:%S}" if synced else None
        report = support_report(self.data_dir, when)
        QGuiApplication.clipboard().setText(report)
        box = QMessageBox(QMessageBox.Icon.Information, "Informations pour l'assistance", "", parent=self)
        box.setText("Ces informations sont copiées : collez-les dans votre message à l'assistance.")
        box.setDetailedText(report)
        box.exec()

    # --- sync -------------------------------------------------------------------------------

    def synchronise(self) -> None:
        if self.sync is None:
            return
        if self.questionnaire_view is not None:
            self.questionnaire_view.close_view()  # send what was just typed
        self._manual_sync = True
        self.sync.synchronise(manual=True)

    def show_login(self) -> None:
        from desktop.sync_dialogs import LoginDialog

        if self.sync is None:
            return
        found = self.sync.account()
        server = found[0] if found else self.settings.server_url()
        email = found[1] if found else self.settings.email() or self._profile_email()
        dialog = LoginDialog(self.sync, server, email, self)
        accepted = dialog.exec()
        # kept even after a failure: the next attempt starts from what was typed
        self.settings.set_server_url(dialog.server_edit.text().strip())
        self.settings.set_email(dialog.email_edit.text().strip())
        if accepted:
            self.statusBar().showMessage("Connecté au serveur de la Caf.", 8000)
        self.show_account()

    def _profile_email(self) -> str:
        """The structure profile's contact e-mail: the login's usual e-mail."""
        if self.session is None:
            return ""
        latest = self.session.registry.latest()
        if not latest:
            return ""
        return latest[0].text_for_role(self.session.store.profile(), "contact_email") or ""

    def show_account(self) -> None:
        """« Connecté : e-mail » and « Se déconnecter » once logged in; « Se connecter… » otherwise."""
        if self.sync is None:
            return
        found = self.sync.account()
        connected = found is not None and self.sync.logged_in_now()
        self.login_action.setText(f"Connecté : {found[1]}" if connected and found else "Se connecter…")
        self.login_action.setToolTip(
            f"Connecté à {found[0]} en tant que {found[1]} — changer de compte…"
            if connected and found
            else "Se connecter au serveur de la Caf…"
        )
        self.logout_action.setVisible(connected)
        if self.questionnaire_view is not None:
            self.questionnaire_view.set_connected(connected)

    def logout(self) -> None:
        if self.sync is None:
            return
        self.sync.logout()
        self.show_account()
        self.statusBar().showMessage(
            "Déconnecté : cet ordinateur ne garde plus la connexion. Vos bilans restent enregistrés ici.", 8000
        )

    def _on_sync_busy(self, busy: bool) -> None:
        self.sync_action.setEnabled(not busy)

    def _on_synced(self, result: object) -> None:
        from sync.engine import SyncResult

        text = getattr(result, "text", lambda: "")()
        self.statusBar().showMessage(f"Synchronisation terminée : {text}", 15000)
        self.sync_banner.say("")  # it works again: the last failure is not true any more
        changed = result.changed if isinstance(result, SyncResult) else None
        if changed is None or changed:
            self.refresh_list()
        view = self.questionnaire_view
        if view is not None and (changed is None or view.uuid in changed):
            view.refresh_from_store()  # the answers the user is looking at stay put unless the Caf changed them
        self._manual_sync = False  # a refusal is in the list's news banner and the questionnaire's panel

    def _show_news(self) -> None:
        from forms.store.news import News

        if self.session is not None:
            self.home.show_news(News(self.session.store).text())

    def _on_news_dismissed(self) -> None:
        from forms.store.news import News

        if self.session is not None:
            News(self.session.store).dismiss()

    def _on_sync_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)
        if self._manual_sync:
            self.sync_banner.say(message)  # asked for with F5: said above the page, never a box to click
        self._manual_sync = False
        self.refresh_list()

    def _on_login_required(self, message: str) -> None:
        self.show_account()
        manual = self._manual_sync
        self._manual_sync = False
        self.statusBar().showMessage(message, 15000)
        if manual:
            self.show_login()

    def export_all_pdf(self) -> None:
        if self.pdf is not None:
            self.pdf.export_everything()

    def refresh_list(self) -> None:
        if self.session is not None:
            self.home.show_rows(self.session.rows())
            self._show_news()  # the banner follows the list: a refusal retried and sent is not news any more

    # --- navigation -------------------------------------------------------------------------

    def show_home(self) -> None:
        if not self._close_questionnaire():
            return
        self.refresh_list()
        self.stack.setCurrentWidget(self.home)
        self.setWindowTitle("Bilan Clas")
        self.home.tree.setFocus()

    def _close_questionnaire(self) -> bool:
        view = self.questionnaire_view
        if view is None:
            return True
        if not view.close_view() and not self._confirm_unsaved():
            return False
        self.home.select(view.uuid)
        self.stack.removeWidget(view)
        view.deleteLater()
        self.questionnaire_view = None
        return True

    def _confirm_unsaved(self) -> bool:
        answer = QMessageBox.warning(
            self,
            "Saisie non enregistrée",
            "Votre dernière saisie n'a pas pu être enregistrée. Fermer quand même et la perdre ?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def open_questionnaire(self, questionnaire_uuid: str) -> None:
        from desktop.bindings import QuestionnaireBinding
        from desktop.questionnaire_view import QuestionnaireView

        if self.session is None or not self._close_questionnaire():
            return
        self._offer_newer_version(questionnaire_uuid)
        try:
            binding = QuestionnaireBinding(self.session.store, questionnaire_uuid)
        except Exception as error:  # noqa: BLE001 - e.g. a definition missing on this computer
            QMessageBox.warning(self, "Ouvrir", str(error))
            return
        view = QuestionnaireView(binding, self.pdf)
        view.status_changed.connect(self._on_status_changed)
        view.sync_requested.connect(self.synchronise)
        view.login_requested.connect(self.show_login)
        view.renamed.connect(self._on_renamed)
        self.questionnaire_view = view
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        view.form.navigator.setFocus()  # the keyboard follows: the page list (Ctrl+Page suivante, Tab)
        self.setWindowTitle(f"{binding.info().title} — Bilan Clas")  # the full title, whatever its length
        self.settings.set_last_questionnaire(questionnaire_uuid)
        self.show_account()

    def _on_renamed(self, title: str) -> None:
        self.setWindowTitle(f"{title} — Bilan Clas")
        self.refresh_list()

    def import_file(self) -> None:
        """A questionnaire from a Bilan Clas JSON file (an export, another computer's work), then opened."""
        from desktop.file_dialogs import ask_open
        from forms.exchange import ExchangeError, import_document, read_document
        from forms.store import StoreError

        if self.session is None:
            return
        path = ask_open(self, "Importer un fichier Bilan Clas", Path.home(), "Fichier Bilan Clas (*.json)")
        if path is None:
            return
        try:
            info = import_document(self.session.store, read_document(path))
        except (ExchangeError, StoreError) as error:
            QMessageBox.warning(self, "Importer un fichier", str(error))
            return
        self.refresh_list()
        self.statusBar().showMessage(f"Importé : « {info.title} ».", 8000)
        self.open_questionnaire(info.uuid)

    def _offer_newer_version(self, questionnaire_uuid: str) -> None:
        """A newer version of its definition was published: offer to move the draft, never silently."""
        from forms.upgrade import migrate, newer_version

        assert self.session is not None
        store = self.session.store
        try:
            newer = newer_version(store, store.get(questionnaire_uuid))
        except Exception:  # noqa: BLE001 - opening it as it is stays possible
            return
        if newer is None:
            return
        answer = QMessageBox.question(
            self,
            "Nouvelle version du formulaire",
            f"La Caf a publié la version {newer.version} de « {newer.title} ». Passer ce brouillon à cette "
            "version ? Les réponses suivent leurs questions ; celles qui n'ont plus de question sont "
            "archivées avec le questionnaire, rien n'est perdu.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            done = migrate(store, questionnaire_uuid, newer.version)
        except Exception as error:  # noqa: BLE001 - shown, the draft stays as it was
            QMessageBox.warning(self, "Nouvelle version du formulaire", str(error))
            return
        self.statusBar().showMessage(
            f"Brouillon passé à la version {done.to_version} : {len(done.archived)} réponse(s) archivée(s).", 15000
        )
        self.refresh_list()

    def show_indicators(self) -> None:
        from desktop.indicators_view import IndicatorsDialog

        if self.session is not None:
            IndicatorsDialog(self.session.store, self).exec()

    def duplicate_selected(self) -> None:
        selected = self.home.selected_uuid()
        if selected:
            self.duplicate(selected)

    def start_from_selected(self) -> None:
        selected = self.home.selected_uuid()
        if selected:
            self.start_from(selected)

    def duplicate(self, questionnaire_uuid: str) -> None:
        """Duplicate an action within its campaign: the fiche Structure and the carried-over answers."""
        if self.session is None:
            return
        info = self.session.store.get(questionnaire_uuid)
        self._start_from(questionnaire_uuid, info.form_id, f"{info.title} (copie)", "Dupliquer l'action")

    def start_from(self, questionnaire_uuid: str) -> None:
        """« Reprendre les réponses d'un bilan précédent » into a new bilan of a chosen (newest) campaign."""
        from PySide6.QtWidgets import QInputDialog

        if self.session is None:
            return
        latest = self.session.registry.latest()
        labels = [f"Campagne {d.campaign.school_year} — {d.title}" for d in latest]
        chosen, ok = QInputDialog.getItem(
            self, "Nouveau bilan à partir de celui-ci", "Campagne du nouveau bilan :", labels, 0, False
        )
        if not ok:
            return
        info = self.session.store.get(questionnaire_uuid)
        self._start_from(questionnaire_uuid, latest[labels.index(chosen)].id, info.title, "Nouveau bilan")

    def _start_from(self, source_uuid: str, form_id: str, title: str, caption: str) -> None:
        from PySide6.QtWidgets import QInputDialog

        from forms.carry import start_from

        assert self.session is not None
        title, ok = QInputDialog.getText(self, caption, "Nom de la nouvelle action :", text=title)
        if not ok or not title.strip():
            return
        try:
            info, carried = start_from(self.session.store, source_uuid, form_id=form_id, title=title)
        except Exception as error:  # noqa: BLE001 - shown, nothing was created
            QMessageBox.warning(self, caption, str(error))
            return
        self.refresh_list()
        self.statusBar().showMessage(
            f"« {info.title} » créé : {len(carried.carried)} réponse(s) reprise(s), à vérifier ; "
            "les chiffres de l'année restent à saisir.",
            15000,
        )
        self.open_questionnaire(info.uuid)

    def _on_status_changed(self, _uuid: str) -> None:
        self.refresh_list()
        if self.sync is not None and self.sync.online:
            self.sync.synchronise(manual=False)  # just transmitted and online: send it now

    # --- actions ----------------------------------------------------------------------------

    def new_action(self) -> None:
        from desktop.dialogs import NewActionDialog

        if self.session is None:
            return
        dialog = NewActionDialog(self.session.registry.latest(), self.session.profile_filled(), self)
        if not dialog.exec():
            return
        definition, title = dialog.chosen()
        info = self.session.store.create(form_id=definition.id, form_version=definition.version, title=title)
        self.refresh_list()
        self.open_questionnaire(info.uuid)

    def edit_profile(self) -> None:
        from desktop.dialogs import ProfileDialog

        if self.session is None:
            return
        latest = self.session.registry.latest()
        if latest:
            ProfileDialog(self.session.store, latest[0], self).exec()

    def delete_questionnaire(self, questionnaire_uuid: str) -> None:
        if self.session is None:
            return
        row = self.home.rows[questionnaire_uuid]
        answer = QMessageBox.question(
            self,
            "Supprimer le brouillon",
            f"Supprimer définitivement le brouillon « {row.title} » et toutes ses réponses ?\n"
            "Cette suppression ne peut pas être annulée.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        from forms.store import StoreError

        try:
            self.session.store.delete(questionnaire_uuid)
        except StoreError as error:
            QMessageBox.warning(self, "Supprimer le brouillon", str(error))
        self.refresh_list()

    # --- closing ----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        view = self.questionnaire_view
        if view is not None and not view.close_view() and not self._confirm_unsaved():
            event.ignore()
            return
        self.settings.set_window_geometry(self.saveGeometry())
        self.settings.set_last_questionnaire(view.uuid if view is not None else None)
        self.settings.sync()
        if self.sync is not None:
            self.sync.stop()
        self.tasks.wait()
        if self.session is not None:
            self.session.close()
        event.accept()
