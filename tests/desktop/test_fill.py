"""A whole questionnaire filled through the real widgets: every question type reaches the store as typed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.questionnaire_view import QuestionnaireView
from desktop.widgets.choices import RadioWidget
from forms.attachments import attachment_path
from forms.lifecycle import Status
from forms.store import Store
from tests.desktop.conftest import ESSAI_FORM, ESSAI_VERSION
from tests.desktop.driver import Modals, answer, answer_all, button_named, click, leave, type_into

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

ESSAI_ANSWERS: dict[str, Any] = {
    "q_text": "Association « Réussir Ensemble » — Œuvre çà et là",
    "q_email": "contact@reussir-ensemble.fr",
    "q_phone": "01 23 45 67 89",
    "q_siret": "73282932000074",
    "q_siren": "732829320",
    "q_yes_no": True,
    "q_single_choice": "autre",
    "q_long_text": "Salle des fêtes de l'école Jean-Moulin\nDeuxième étage : 12,50 € la séance, œuvre commune",
    "q_multiple_choice": ["primaire", "lycee"],
    "q_matrix": {"aide": "souvent", "sorties": "jamais"},
    "q_date": "2025-09-15",
    "q_postal_code": "73000",
    "q_insee_code": "2A004",
    "q_integer": 30,
    "q_integer_part": 12,
    "q_decimal": 1.25,
}


def test_every_question_type_reaches_the_store_as_typed(
    store: Store, open_view: Callable[[str], QuestionnaireView], tmp_path: Path, data_dir: Path
) -> None:
    document = tmp_path / "Compte rendu — été 2025.pdf"
    document.write_bytes(PDF)
    uuid = store.create(form_id=ESSAI_FORM, form_version=ESSAI_VERSION, title="Essai").uuid
    view = open_view(uuid)

    answer_all(view.form, {**ESSAI_ANSWERS, "q_file": document})

    sha256 = hashlib.sha256(PDF).hexdigest()
    expected = {
        **ESSAI_ANSWERS,
        "q_file": {"name": document.name, "sha256": sha256, "size": len(PDF), "media_type": "application/pdf"},
    }
    assert store.answers(uuid) == expected
    assert attachment_path(store, sha256).read_bytes() == PDF  # copied into DATA/attachments/<sha256>
    assert (data_dir / "attachments" / sha256).is_file()
    assert view.form.widgets["q_file"].name_label.text() == f"{document.name} ({len(PDF)} octets)"
    assert [view.form.navigator.item(r).data(Qt.ItemDataRole.UserRole) for r in range(3)] == ["complete"] * 3


def test_transmit_button_sends_a_complete_questionnaire_to_the_outbox(
    store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot, modals: Modals
) -> None:
    uuid = store.create(form_id=ESSAI_FORM, form_version=ESSAI_VERSION, title="Essai").uuid
    view = open_view(uuid)
    answer_all(view.form, ESSAI_ANSWERS)

    modals.when_shown(QMessageBox, lambda box: button_named(box, "Transmettre").click())
    with qtbot.waitSignal(view.status_changed):
        click(view.transmit_button)

    assert store.get(uuid).status == Status.A_ENVOYER
    assert view.status_badge.text() == "À envoyer"
    assert store.versions(uuid)[-1].answers["q_long_text"] == ESSAI_ANSWERS["q_long_text"]


def test_number_fields_refuse_letters(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid = store.create(form_id=ESSAI_FORM, form_version=ESSAI_VERSION, title="Essai").uuid
    form = open_view(uuid).form
    typed = {
        "q_integer": ("1a2é3", "123"),
        "q_integer_part": ("4,5", "45"),  # a whole number has no decimal separator
        "q_decimal": ("0,255", "0,25"),  # two decimals at most
        "q_postal_code": ("73a0001", "73000"),  # five digits, no letter
    }
    for question_id, (keys, shown) in typed.items():
        answer(form, question_id, None)
        type_into(form.widgets[question_id].edit, keys)  # type: ignore[attr-defined]
        assert form.widgets[question_id].edit.text() == shown  # type: ignore[attr-defined]
    form.flush()
    assert store.answers(uuid) == {"q_integer": 123, "q_integer_part": 45, "q_decimal": 0.25, "q_postal_code": "73000"}


def test_a_radio_answer_can_be_cleared(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid = store.create(form_id=ESSAI_FORM, form_version=ESSAI_VERSION, title="Essai").uuid
    form = open_view(uuid).form
    answer(form, "q_yes_no", False)
    assert store.answers(uuid) == {"q_yes_no": False}
    widget = form.widgets["q_yes_no"]
    assert isinstance(widget, RadioWidget)
    assert widget.clear_button.isVisible()
    click(widget.clear_button)
    assert store.answers(uuid) == {}
    assert widget.value() is None


def test_a_refused_key_is_said_beside_the_field(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    """« 12x0 » is not silently 120: the refused « x » is said beside the field; « 1.2 » shows as « 1,2 »."""
    uuid = store.create(form_id=ESSAI_FORM, form_version=ESSAI_VERSION, title="Essai").uuid
    form = open_view(uuid).form
    integer = form.widgets["q_integer"]
    answer(form, "q_integer", None)
    type_into(integer.edit, "12x")  # type: ignore[attr-defined]
    assert integer.refused_label.text() == "Caractère refusé : des chiffres seulement."  # type: ignore[attr-defined]
    type_into(integer.edit, "0", replace=False)  # type: ignore[attr-defined]
    assert integer.refused_label.text() == ""  # type: ignore[attr-defined]
    decimal = form.widgets["q_decimal"]
    answer(form, "q_decimal", None)
    type_into(decimal.edit, "1.2")  # type: ignore[attr-defined]
    leave(decimal.edit)  # type: ignore[attr-defined]
    assert decimal.edit.text() == "1,2"  # type: ignore[attr-defined]
    form.flush()
    assert store.answers(uuid) == {"q_integer": 120, "q_decimal": 1.2}
