"""The partner's app shows a validated fiche Structure read-only (issue 14 item 5): the Caf validates it
through the review API of a real server, the app syncs, and the open questionnaire's fiche Structure
fields become read-only like the Caf-only ones, with one line on its pages; typing changes nothing.
Before the validation (negative control) the same fields are editable. A new action of the campaign
opens locked too. Real widgets, real uvicorn, real SQLite."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.main_window import MainWindow
from desktop.questionnaire_view import QuestionnaireView
from desktop.theme import STYLESHEET
from sync.server import review
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.gui_sync.test_sync_gui import LiveServer, _login, _sync, _transmitted, server, window  # noqa: F401

SCREENSHOT = Path(__file__).parents[2] / "docs" / "screenshots" / "fiche-structure-validee.png"
LINE = "Fiche Structure validée par la Caf le "
LOCKED = "ces réponses ne peuvent plus être modifiées."


def _structure_page(view: QuestionnaireView) -> int:
    return next(n for n, page in enumerate(view.form.binding.pages) if page.part == "structure")


def test_the_validated_fiche_structure_is_read_only_in_the_app(
    qtbot,
    window: MainWindow,  # noqa: F811
    server: LiveServer,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    _login(qtbot, window, server)
    uuid_ = _transmitted(window, "Accompagnement — Les Hauts")
    _sync(qtbot, window)
    qid = uuid.UUID(uuid_)
    review.return_for_correction(server.ctx, server.reviewer, qid)
    window.open_questionnaire(uuid_)
    _sync(qtbot, window)
    view = window.questionnaire_view
    assert view is not None
    view.form.navigator.setCurrentRow(_structure_page(view))
    page = view.form.page_views[_structure_page(view)]
    name = view.form.widgets["nom_structure"]
    # Negative control: À corriger and not validated, the fiche Structure is the partner's to change.
    assert not name.edit.isReadOnly()  # type: ignore[attr-defined]
    assert page.lock_label.isHidden()

    review.validate_structure(server.ctx, server.reviewer, qid)
    result = _sync(qtbot, window)
    assert result.text() == "Fiche Structure validée par la Caf."
    assert name.edit.isReadOnly()  # type: ignore[attr-defined]
    assert view.form.widgets["email"].edit.isReadOnly()  # type: ignore[attr-defined]
    assert view.form.widgets["numero_sias"].edit.isReadOnly()  # type: ignore[attr-defined]  # still the Caf's
    assert not view.form.widgets["lieu_action"].edit.isReadOnly()  # type: ignore[attr-defined]  # fiche Action
    assert page.lock_label.isVisibleTo(view)
    assert page.lock_label.text().startswith(LINE)
    assert page.lock_label.text().endswith(LOCKED)
    action_page = next(v for v in view.form.page_views if v.page.part == "action")
    assert action_page.lock_label.isHidden()

    # Typing into the locked field changes nothing, on screen or in the store.
    name.edit.setFocus()  # type: ignore[attr-defined]
    qtbot.keyClicks(name.edit, " bis")  # type: ignore[attr-defined]
    qtbot.keyClick(name.edit, Qt.Key.Key_Tab)  # type: ignore[attr-defined]
    assert window.session is not None
    assert window.session.store.answers(uuid_)["nom_structure"] == complete_answers()["nom_structure"]
    assert name.value() == complete_answers()["nom_structure"]

    window.setStyleSheet(STYLESHEET)  # as the app shows it (the test application has no style of its own)
    window.resize(1280, 860)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SCREENSHOT))

    # A new action of the campaign, created after the lock: its fiche Structure opens locked too.
    later = window.session.store.create(form_id=FORM_ID, title="Coup de pouce lecture")
    window.open_questionnaire(later.uuid)
    opened = window.questionnaire_view
    assert opened is not None
    assert opened.uuid == later.uuid
    assert opened.form.widgets["nom_structure"].edit.isReadOnly()  # type: ignore[attr-defined]
    assert opened.form.widgets["nom_structure"].value() == complete_answers()["nom_structure"]
    assert opened.form.page_views[_structure_page(opened)].lock_label.text().startswith(LINE)
