"""Starting the desktop app, and `bilan-clas --self-test` (checks an installation, then exits)."""

from __future__ import annotations

import os
import sys
import tempfile
from functools import partial
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from desktop.first_paint import after_first_paint, after_rows_painted
from desktop.theme import STYLESHEET

EXIT_AFTER_SHOWN = "BILAN_CLAS_EXIT_AFTER_SHOWN"
"""Start-up benchmark only (tests/benchmarks/bench_desktop.py): leave on the event-loop turn after the
first paint, or with the value "list", on the turn after the list is painted with its rows."""


def _application() -> QApplication:
    """The QApplication, French and styled; an existing one (tests, embedding) is configured once too."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    if app.property("bilan_clas_configured"):
        return app
    app.setProperty("bilan_clas_configured", True)
    app.setApplicationName("Bilan Clas")
    app.setOrganizationName("bilan-clas")
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    translator = QTranslator(app)  # Qt's own dialogs and buttons in French
    if translator.load("qtbase_fr", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    app.setStyleSheet(STYLESHEET)
    return app


def run(data_dir_override: str | None = None, self_test: bool = False) -> int:
    if self_test:
        return run_self_test()
    from forms.logs import configure
    from forms.paths import data_dir

    folder = data_dir(data_dir_override)
    if not _has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    configure(folder, "bilan-clas app")
    app = _application()
    from desktop.single_instance import ALREADY_RUNNING, SingleInstance

    instance = SingleInstance(folder, app)
    if not instance.acquire():
        if instance.ask_running_to_show():
            print(ALREADY_RUNNING)
            return 0
        print("Bilan Clas semble déjà ouvert sur ce dossier de données, mais ne répond pas.", file=sys.stderr)
        return 1
    sys.excepthook = partial(_unexpected, folder)
    from desktop.main_window import MainWindow
    from sync import credentials

    credentials.allow_memory_only()  # no secure keychain (a bare XFCE, a kiosk): login lasts until the app closes
    window = MainWindow(folder)
    if os.environ.get(EXIT_AFTER_SHOWN) == "list":
        after_rows_painted(window.home.tree, _leave_now)
    elif os.environ.get(EXIT_AFTER_SHOWN):
        after_first_paint(window, _leave_now)
    instance.activated.connect(window.bring_to_front)
    window.show()
    try:
        return app.exec()
    finally:
        instance.release()


NO_DISPLAY = "Aucun écran disponible : lancez Bilan Clas dans une session graphique (bureau Windows, macOS ou Linux)."


def _has_display() -> bool:
    """False on a Linux or BSD machine without a graphical session, where Qt would abort in English."""
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc", "eglfs", "linuxfb"):
        return True
    if sys.platform.startswith(("win", "darwin")):
        return True
    if os.environ.get("WAYLAND_DISPLAY"):
        return True
    display = os.environ.get("DISPLAY", "")
    if display.startswith(":"):  # a local X server listens on its socket; a remote one (ssh -X) is trusted
        return Path(f"/tmp/.X11-unix/X{display[1:].split('.')[0]}").exists()
    return bool(display)


def _unexpected(folder: Path, kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """Any error no code expected: logged with its traceback, told in French; the app stays open."""
    from forms.logs import getLogger, log_path

    getLogger("app").error("unexpected error", exc_info=(kind, error, trace))
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.critical(
        None,
        "Bilan Clas",
        "Une erreur inattendue est survenue. Vos réponses déjà enregistrées sont conservées.\n\n"
        "Si elle se reproduit, envoyez à votre contact le contenu de « Aide › Informations pour "
        f"l'assistance » ; le détail est dans le journal :\n{log_path(folder)}",
    )


def _leave_now() -> None:
    os._exit(0)  # the bare baseline leaves the same way: no teardown on either side


def run_self_test() -> int:
    """Qt speaks French, every definition loads, a temporary store works, every page of every definition
    builds offscreen, a PDF bilan renders with the embedded fonts, and the sync client loads."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = _application()
    if QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel":
        print("Auto-test en échec : les traductions françaises de Qt sont absentes.", file=sys.stderr)
        return 1
    import io

    import sync.engine  # noqa: F401 - the sync client and its libraries are in the installation
    from desktop.bindings import QuestionnaireBinding
    from desktop.questionnaire_view import QuestionnaireView
    from forms.pdf import bilan_from_store, render_bilan
    from forms.registry import FormRegistry
    from forms.store import Store

    registry = FormRegistry.load()
    pages = 0
    with tempfile.TemporaryDirectory(prefix="bilan-clas-self-test-") as folder:
        store = Store.open(Path(folder), registry)
        try:
            for definition in registry.all():
                info = store.create(form_id=definition.id, form_version=definition.version, title="Auto-test")
                view = QuestionnaireView(QuestionnaireBinding(store, info.uuid))
                for page in definition.pages:
                    view.form.go_to_page(page.id)
                    app.processEvents()
                    pages += 1
                first = definition.questions()[0]
                if first.type == "text":
                    store.set_answer(info.uuid, first.id, "Auto-test")
                view.close_view()
                view.deleteLater()
                pdf = io.BytesIO()
                render_bilan(pdf, bilan_from_store(store, info.uuid), generated_at=info.created_at)
                if not pdf.getvalue().startswith(b"%PDF"):
                    print("Auto-test en échec : le bilan PDF est vide.", file=sys.stderr)
                    return 1
            ok = store.integrity_ok()
        finally:
            store.close()
    app.processEvents()
    if not ok:
        print("Auto-test en échec : base de données temporaire incohérente.", file=sys.stderr)
        return 1
    count = len(registry.all())
    print(f"Auto-test réussi : {count} définition(s), {pages} pages construites, {count} bilan(s) PDF.")
    return 0
