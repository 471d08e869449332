"""The right message at the right place (review findings 6, 8 and 17): the desktop shows what forms/ says."""

from __future__ import annotations

from collections.abc import Callable

from desktop.questionnaire_view import QuestionnaireView
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.driver import answer
from tests.forms.sample_answers import complete_answers


def open_with(
    store: Store, open_view: Callable[[str], QuestionnaireView], **answers: object
) -> tuple[str, QuestionnaireView]:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Messages", answers=answers).uuid
    return uuid, open_view(uuid)


def test_the_siren_is_prefilled_from_the_siret(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid, view = open_with(store, open_view)
    answer(view.form, "siret", "732 829 320 00074")
    assert view.form.widgets["siren"].value() == "732829320"
    assert store.answers(uuid)["siren"] == "732829320"  # saved, as if typed


def test_a_typed_siren_is_never_replaced(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid, view = open_with(store, open_view)
    answer(view.form, "siren", "356000000")
    answer(view.form, "siret", "73282932000074")
    assert view.form.widgets["siren"].value() == "356000000"
    assert store.answers(uuid)["siren"] == "356000000"
    assert "Siren" in view.form.widgets["siren"].message_label.text()  # the mismatch is pointed out instead


def test_an_invalid_siret_prefills_nothing(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid, view = open_with(store, open_view)
    answer(view.form, "siret", "73282932000075")  # wrong key
    assert view.form.widgets["siren"].value() is None
    assert "siren" not in store.answers(uuid)


def test_levels_above_enrolled_show_on_the_enrolled_count(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    """24 enrolled, 20 + 15 + 0 + 0 by level: the message is on « Nombre d'enfants inscrits », not on the 0."""
    given = {k: v for k, v in complete_answers().items() if not k.startswith("nb_enfants_")}
    _, view = open_with(store, open_view, **{**given, "nb_familles": 20})
    for question_id, value in (("nb_enfants_inscrits", 24), ("nb_enfants_elementaire", 20),
                               ("nb_enfants_college", 15), ("nb_enfants_lycee", 0),
                               ("nb_enfants_hors_filiere", 0)):  # fmt: skip
        answer(view.form, question_id, value)
    enrolled = view.form.widgets["nb_enfants_inscrits"].message_label
    assert enrolled.isVisibleTo(view)
    assert enrolled.text().startswith("35 enfants répartis par niveau scolaire pour 24 inscrits : ")
    assert not view.form.widgets["nb_enfants_hors_filiere"].message_label.isVisibleTo(view)
