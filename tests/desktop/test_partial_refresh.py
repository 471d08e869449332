"""After an edit the form re-checks and restyles only what the edit can affect, and what it shows is
exactly what a form opened afresh on the same answers shows (messages, visibility, page list)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.form_view import FormView
from desktop.questionnaire_view import QuestionnaireView, _Attachments
from forms.evaluation import evaluate
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.driver import answer
from tests.forms.sample_answers import complete_answers


def shown(form: FormView) -> dict[str, Any]:
    """Everything the form shows of its answers' state, widget by widget and page by page."""
    return {
        "messages": {q: (w.message_label.text(), w.message_label.isHidden(), w.property("state"))
                     for q, w in form.widgets.items()},
        "hidden": {q: w.isHidden() for q, w in form.widgets.items()},
        "pages": [form.navigator.item(row).text() for row in range(form.navigator.count())],
    }  # fmt: skip


def test_what_an_edit_shows_equals_a_fresh_form(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    sample = complete_answers()
    some = {k: v for k, v in sample.items() if k not in ("nom_structure", "bonus_enfants_criteres", "siren")}
    uuid = store.create(form_id=OFFICIAL_FORM, title="Partiel", answers=some).uuid
    view = open_view(uuid)
    form = view.form
    form.show_all_messages()  # every message shown, so that a stale one cannot hide
    edits = [
        ("nb_enfants_inscrits", 1),  # breaks rules shown on other questions (families, attendance)
        ("bonus_enfants", True),  # shows its criteria
        ("nb_collectifs", 1),
        ("bonus_enfants", False),  # hides them again
        ("nb_enfants_inscrits", sample["nb_enfants_inscrits"]),
        ("siret", sample["siret"]),  # prefills the SIREN while empty
        ("statut_structure", "autre"),  # shows « statut_autre »
    ]
    for question_id, value in edits:
        answer(form, question_id, value)
        assert not form.has_pending()
        assert form.evaluation == evaluate(form.binding.definition, store.answers(uuid))
        fresh = FormView(form.binding, _Attachments(store))  # opened afresh: a full evaluation
        fresh.show_all_messages()
        fresh._touched = set(form._touched)
        fresh._refresh()
        assert shown(form) == shown(fresh), question_id
        fresh.deleteLater()


def test_an_edit_restyles_only_what_changed(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    """Typing a name nothing else reads restyles at most that field, not the questionnaire's 54."""
    uuid = store.create(form_id=OFFICIAL_FORM, title="Partiel", answers=complete_answers()).uuid
    form = open_view(uuid).form
    form.show_all_messages()  # a missing answer says so
    restyled: list[str] = []
    for question_id, widget in form.widgets.items():
        original = widget.show_issue

        def spy(*args: Any, _id: str = question_id, _original: Any = original) -> None:
            restyled.append(_id)
            _original(*args)

        widget.show_issue = spy  # type: ignore[method-assign]
    answer(form, "nom_structure", "Association « Élan »")
    assert set(restyled) <= {"nom_structure"}
    restyled.clear()
    answer(form, "nom_structure", "")  # now missing: its own message changes, nothing else
    assert restyled == ["nom_structure"]
    restyled.clear()
    form._messages.clear()  # forget what is shown: every field is restyled (negative control of the spy)
    form._refresh()
    assert len(restyled) == len(form.widgets)
