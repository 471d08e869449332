"""A filled questionnaire's bilan says everything it should, and nothing it should not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from forms.definition import FormDefinition
from forms.evaluation import visible_answers
from forms.formatting import scalar_text
from forms.lifecycle import Status
from forms.pdf import bilan_from_store
from forms.pdf.blocks import _matrix_widths
from forms.pdf.fonts import CHECK
from forms.pdf.styles import MARGIN_X, make_styles
from forms.store import Store
from tests.forms.sample_answers import BILAN_QUALITATIF, DOCUMENT, complete_answers
from tests.pdf.conftest import Make
from tests.pdf.helpers import flat, pdf_text

Render = Callable[[str], Path]


def expected_fragments(definition: FormDefinition, answers: dict[str, Any]) -> list[str]:
    """Every page title, section, visible label and chosen answer label, from the definition itself."""
    visible, kept = visible_answers(definition, answers)
    found: list[str] = []
    for page in definition.pages:
        found.append(page.title)
        for q in page.questions:
            if q.id not in visible:
                continue
            found += [q.label] + ([q.section] if q.section else [])
            value: Any = kept.get(q.id)
            if q.type == "single_choice":
                found.append(q.choice_label(value))
            elif q.type == "multiple_choice":
                found += [q.choice_label(v) for v in value]
            elif q.type == "matrix":
                found += [r.label for r in q.rows] + [c.label for c in q.choices]
            elif q.type == "yes_no":
                found.append("Oui" if value else "Non")
            elif q.type == "long_text":
                found += [line for line in value.splitlines() if line.strip()]
            elif q.type == "file":
                found += [value["name"], value["sha256"]]
            elif q.type in ("siret", "siren"):  # printed grouped, however typed (review finding 17)
                found.append(scalar_text(q.type, value))
            elif isinstance(value, str):
                found.append(value)
    return [flat(f) for f in found]


def test_every_visible_label_and_answer_is_printed(store: Store, make: Make, render: Render) -> None:
    answers = complete_answers(with_document=True)
    uuid = make(answers)
    text = pdf_text(render(uuid))
    missing = [f for f in expected_fragments(store.definition(uuid), answers) if f not in text]
    assert missing == []
    # Figures in French: narrow no-break space between thousands, decimal comma, units.
    for figure in ("1 836 présences", "306,5 heures", "0,4 ETP", "0,25 ETP", "204 séances", "3 collectifs"):
        assert figure in text
    assert "0 enfant " in text  # French singular below 2


def test_header_block(store: Store, make: Make, render: Render) -> None:
    uuid = make(status=Status.TRANSMIS)
    text = pdf_text(render(uuid))
    version = store.versions(uuid)[-1]
    for fragment in (
        "Bilan Clas",
        "Année scolaire 2024-2025",
        "Association « Réussir Ensemble » des Hauts-de-Chambéry",
        "Clas des Hauts-de-Chambéry — collèges et écoles du quartier",
        "Transmis · depuis le 02/10/2025",
        f"identifiant {version.version_id}",
        "n° 1 du",
    ):
        assert fragment in text


def test_matrix_marks_sit_in_the_chosen_column(store: Store, make: Make, render: Render) -> None:
    uuid = make()
    definition = store.definition(uuid)
    answers = complete_answers()
    styles = make_styles()
    expected: list[int] = []  # column index of each mark, in document order
    layouts = []
    for q in definition.questions():
        if q.type == "matrix":
            columns = [c.id for c in q.choices]
            expected += [columns.index(answers[q.id][r.id]) for r in q.rows]
            layouts += [_matrix_widths(q, styles)] * len(q.rows)
    marks: list[tuple[int, float, float]] = []
    for number, page in enumerate(PdfReader(render(uuid)).pages):

        def visit(text: str, cm: list[float], tm: list[float], _f: Any, _s: Any, number: int = number) -> None:
            if text.strip() == CHECK:
                marks.append((number, -(tm[4] * cm[1] + tm[5] * cm[3] + cm[5]), tm[4] * cm[0] + cm[4]))

        page.extract_text(visitor_text=visit)
    marks.sort()
    assert len(marks) == len(expected)
    observed = [int((x - MARGIN_X - label) // cell) for (_, _, x), (label, cell) in zip(marks, layouts, strict=True)]
    assert observed == expected


def test_hidden_questions_are_left_out(make: Make, render: Render) -> None:
    answers = complete_answers()
    # Hidden: statut_autre needs statut_structure == autre; bonus_parents_criteres needs bonus_parents.
    answers["statut_autre"] = "Fondation Zéphyrine"
    answers["bonus_parents"] = False
    answers["bonus_parents_criteres"] = ["public_allophone"]
    text = pdf_text(render(make(answers)))
    assert "Si 'Autre' précisez" not in text
    assert "Fondation Zéphyrine" not in text
    assert "Critères d'attribution du bonus Parents" not in text
    assert "cible un public allophone" not in text
    assert "Critères d'attribution du bonus Enfant" in text  # its condition holds


def test_hidden_answers_of_a_draft_never_print(store: Store, make: Make, render: Render) -> None:
    definition = store.registry.get("clas-essai")
    answers = {"q_yes_no": False, "q_single_choice": "autre", "q_long_text": "Texte caché très reconnaissable"}
    uuid = make(answers, form_id="clas-essai", title="Essai")
    text = pdf_text(render(uuid))
    assert definition.question("q_single_choice").label not in text
    assert "Texte caché très reconnaissable" not in text
    assert definition.question("q_yes_no").label in text


def test_unanswered_questions_say_so(store: Store, make: Make, render: Render) -> None:
    uuid = make({"nom_structure": "Le Relais"})
    text = pdf_text(render(uuid))
    assert text.count("Non renseigné") >= 20
    assert "Le Relais" in text


def test_organisation_not_answered(make: Make, render: Render) -> None:
    text = pdf_text(render(make({})))
    assert "Structure Non renseigné" in text


def test_every_question_type_renders(store: Store, make: Make, render: Render) -> None:
    """The renderer works for any definition: the test definition has every type."""
    answers = {
        "q_text": "Maison « Étoile »",
        "q_email": "contact@exemple.fr",
        "q_phone": "01 23 45 67 89",
        "q_yes_no": True,
        "q_single_choice": "autre",
        "q_long_text": "Sous le préau",
        "q_date": "2024-09-16",
        "q_integer": 1234567,
        "q_decimal": 1234.5,
        "q_file": DOCUMENT,
    }
    definition = store.registry.get("clas-essai")
    answers = {k: v for k, v in answers.items() if k in {q.id for q in definition.questions()}}
    text = pdf_text(render(make(answers, form_id="clas-essai", title="Essai")))
    assert "16/09/2024" in text
    assert "1 234 567" in text
    assert "1 234,5" in text
    assert "Sous le préau" in text
    assert str(DOCUMENT["sha256"]) in text


def test_special_characters_round_trip(make: Make, render: Render) -> None:
    special = "é è à ç ù ô î ï É Ç Œ œ € « » ’ — n° 1 234,5 & <b>pas du gras</b>"
    answers = complete_answers()
    answers["lieu_action"] = special
    answers["bilan_qualitatif"] = special + "\n" + BILAN_QUALITATIF
    text = pdf_text(render(make(answers)))
    assert text.count(flat(special)) == 2


def test_notices_anchored_and_listed(store: Store, make: Make, render: Render) -> None:
    from tests.pdf.helpers import add_notice

    uuid = make(status=Status.A_CORRIGER)
    add_notice(store, uuid, "Le nombre de séances paraît élevé.", question_id="nb_seances")
    add_notice(store, uuid, "Adresse à confirmer.", question_id="email", status="resolved")
    add_notice(store, uuid, "Merci & bravo <pour> ce bilan.")
    text = pdf_text(render(uuid))
    assert text.count("Le nombre de séances paraît élevé.") == 2  # under its question, and in the list
    assert text.count("Adresse à confirmer.") == 2
    assert text.count("Merci & bravo <pour> ce bilan.") == 1  # not anchored: in the list only
    assert "REMARQUE DE LA CAF · ouverte" in text
    assert "REMARQUE DE LA CAF · résolue" in text
    assert "Remarques de la Caf 2 ouvertes, 1 résolue" in text
    assert "OUVERTE · 02/10/2025 · Données d'activité (effectifs, fréquentation) › Nombre total de séances" in text


def test_siret_prints_the_same_in_the_draft_and_the_transmitted_bilan(make: Make, render: Render) -> None:
    """Review finding 17: typed with spaces in the draft, stored compact once transmitted: printed the same."""
    typed = {**complete_answers(), "siret": "732 829 320 00074", "siren": "732829320"}
    draft = pdf_text(render(make(typed)))
    transmitted = pdf_text(render(make(typed, status=Status.TRANSMIS)))
    for text in (draft, transmitted):
        assert "732 829 320 00074" in text
        assert "73282932000074" not in text
        assert "732 829 320" in text.replace("732 829 320 00074", "")  # the SIREN, grouped the same way


def test_transmitted_bilan_prints_the_transmitted_version(store: Store, make: Make, render: Render) -> None:
    uuid = make(status=Status.TRANSMIS)
    bilan = bilan_from_store(store, uuid)
    assert dict(bilan.answers) == store.versions(uuid)[-1].answers
    assert bilan.transmission_number == 1
