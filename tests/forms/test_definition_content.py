"""Content of the shipped form definitions: the official Clas 2024-2025 questionnaire and the test ones.

The expected wording below is copied from seed 002 (SPHINX questionnaire and AFAS map): a change to the
official definition that drifts from the source documents fails here.
"""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from forms.definition import NUMERIC_TYPES, FormDefinition, Question, QuestionType, load_definition

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = ROOT / "resources" / "forms" / "clas-2024-2025.json"
ESSAI_V1 = ROOT / "tests" / "data" / "forms" / "clas-essai-v1.json"
ESSAI_V2 = ROOT / "tests" / "data" / "forms" / "clas-essai-v2.json"

# The SPHINX questionnaire, in its official order.
SPHINX_ORDER = [
    "nom_structure",
    "statut_structure",
    "statut_autre",
    "nom_caf",
    "numero_organisme",
    "email",
    "siret",
    "siren",
    "lieu_action",
    "commune",
    "code_postal",
    "code_insee",
    "numero_voie",
    "voie",
    "qpv",
    "ages",
    "situations",
    "activites",
    "contractualisation",
    "actions_parents",
    "origine_inscription",
    "formation_coordinateur",
    "formation_animateurs",
    "bilan_qualitatif",
    "document_complementaire",
    "bonus_enfants",
    "bonus_enfants_criteres",
    "bonus_parents",
    "bonus_parents_criteres",
]
IDENTIFICATION = SPHINX_ORDER[:8]
LOCALISATION = SPHINX_ORDER[8:14]

# The AFAS déclaration réelle (quantitative block), in the order of the map.
AFAS = [
    "nb_collectifs",
    "nb_enfants_inscrits",
    "nb_enfants_elementaire",
    "nb_enfants_college",
    "nb_enfants_lycee",
    "nb_enfants_hors_filiere",
    "nb_familles",
    "semaines_sept_dec",
    "semaines_janv_aout",
    "nb_seances",
    "total_presences",
    "etp_salaries",
    "etp_benevoles",
    "heures_salaries",
    "heures_benevoles",
]
AFAS_LABELS = {
    "nb_collectifs": "Nombre de collectifs d'enfants",
    "nb_enfants_inscrits": "Nombre d'enfants inscrits",
    "nb_enfants_elementaire": "Nombre d'enfants inscrits scolarisés à l'école élémentaire",
    "nb_enfants_college": "Nombre d'enfants inscrits scolarisés au collège",
    "nb_enfants_lycee": "Nombre d'enfants inscrits scolarisés au lycée",
    "nb_enfants_hors_filiere": "Nombre d'enfants inscrits hors filière générale (CAP, BEP, SEGPA...)",
    "nb_familles": "Nombre de familles différentes inscrites",
    "semaines_sept_dec": "Nombre total de semaines d'activité entre septembre et décembre N",
    "semaines_janv_aout": "Nombre total de semaines d'activité entre janvier et août N+1",
    "nb_seances": "Nombre total de séances réalisées dans l'année",
    "total_presences": "Nombre total d'enfants présents toutes séances confondues",
    "etp_salaries": "Nombre d'ETP intervenants salariés sur l'année scolaire écoulée",
    "etp_benevoles": "Nombre d'ETP intervenants bénévoles sur l'année scolaire écoulée",
    "heures_salaries": "Nombre total d'heures des ETP intervenants salariés sur l'année scolaire écoulée",
    "heures_benevoles": "Nombre total d'heures des ETP intervenants bénévoles sur l'année scolaire écoulée",
}

SPHINX_LABELS = {
    "nom_structure": "Nom de la structure",
    "statut_structure": "Statut de la structure",
    "statut_autre": "Si 'Autre' précisez",
    "nom_caf": "Nom de votre Caf",
    "numero_organisme": "Numéro d'organisme",
    "email": "Votre mail",
    "siret": "Numéro de Siret",
    "siren": "Numéro de Siren",
    "lieu_action": "Lieu de votre action",
    "commune": "Nom de la commune",
    "code_postal": "Code postal",
    "code_insee": "Code Insee",
    "numero_voie": "Numéro de voie",
    "voie": "Voie",
    "qpv": "Votre action se déroule dans un QPV ?",
    "ages": "Votre action concerne les",
    "situations": "Les enfants/jeunes qui participent au Clas sont-ils concernés par les situations suivantes",
    "activites": "Quels types d'activité proposez-vous aux enfants/jeunes dans le cadre du Clas ?",
    "contractualisation": "Votre action donne-t-elle lieu à une contractualisation avec les parents et "
    "l'enfant/jeune autour d'engagements réciproques ?",
    "actions_parents": "Parmi les actions suivantes lesquelles ont-été réalisées au cours de l'année scolaire ?",
    "origine_inscription": "Qui est à l'origine de la demande d'inscription des enfants ou des jeunes au Clas",
    "formation_coordinateur": "Au cours de l'année, le coordinateur a-t-il bénéficié d'une formation Clas ?",
    "formation_animateurs": "Au cours de l'année, les animateurs ont-ils bénéficiés d'une formation Clas ?",
    "document_complementaire": "Vous pouvez déposer un fichier complémentaire permettant d'enrichir votre bilan",
}

MATRICES = {
    "situations": (
        [
            "Difficultés scolaires dans les apprentissages fondamentaux (calcul, lecture, écriture)",
            "Conditions de logement et/ou environnement inadaptés au travail scolaire (bruit, exigüité ...)",
            "Accès limité à des activités socio-culturelles",
            "Maitrise difficile de la langue française par les parents",
            "Disponibilité réduite des parents",
            "Parents en difficulté socio-économique",
        ],
        ["Quasiment tous", "Pour beaucoup", "Pour quelques-uns", "Quasiment aucun", "Ne sais pas"],
    ),
    "activites": (
        [
            "Un appui et/ou une aide méthodologique",
            "Une aide au travail personnel",
            "Un accompagnement à l'usage du numérique",
            "Des activités culturelles ou artistiques, lecture plaisir, sportives",
            "Des activités scientifiques techniques informatiques",
            "Des jeux éducatifs",
            "Des sorties et/ou visites",
            "Des activités liées à la citoyenneté (recherche d'informations, débats)",
            "Des échanges sur le fonctionnement de l'école, sur l'orientation",
        ],
        ["A chaque séance", "Plusieurs séances par mois", "Quelques séances dans l'année", "Jamais"],
    ),
    "actions_parents": (
        [
            "Rencontres individuelles programmées entre les parents et les accompagnateurs "
            "(et éventuellement l'enfant et le jeune)",
            "Mise en place d'outils de liaison et d'échange avec les parents",
            "Accompagnement de parents lors de rencontres avec les enseignants",
            "Temps de convivialité avec les parents",
            "Participation des parents à des séances de CLAS",
            "Rencontre avec les parents autour d'une thématique",
            "En proposant aux parents un accompagnement à l'usage du numérique",
            "Accompagnement des parents vers les associations de parents d'élèves",
            "Information et accompagnement des parents à la compréhension des codes de l'école",
        ],
        ["Oui", "Non"],
    ),
    "origine_inscription": (
        [
            "Les familles",
            "Les enfants",
            "Sur proposition des enseignants",
            "Sur proposition des travailleurs sociaux",
            "Sur proposition des associations locales ou d'autres acteurs locaux",
            "Sur proposition de l'équipe de Réussite éducative (PRE/DRE)",
        ],
        ["Toujours ou presque", "Assez souvent", "Parfois", "Jamais"],
    ),
}

BONUS_CRITERIA = {
    "bonus_enfants_criteres": (
        "bonus_enfants",
        [
            "L'action Clas porte un projet socio-éducatif structuré, organisé sur l'année scolaire",
            "L'achat de matériel pédagogique spécifique (ordinateur...) est programmé",
            "L'action mobilise des intervenants extérieurs qui génèrent un cout supplémentaire à l'action",
            "Des dépenses sont engagées pour l'organisation de sorties culturelles",
        ],
    ),
    "bonus_parents_criteres": (
        "bonus_parents",
        [
            "L'action Clas porte un projet spécifique d'accompagnement des parents des enfants du Clas "
            "organisé sur l'année scolaire",
            "L'action d'accompagnement des parents mobilise des intervenants extérieurs qui génèrent un coût "
            "supplémentaire à l'action",
            "Des actions spécifiques d'accompagnement des parents sont mis en place (accès aux droits "
            "en lien avec la scolarité, orientation, numérique)",
            "L'action Clas cible un public allophone, illettrisme, AEF",
        ],
    ),
}

# Added by issue 11: the AFAS « Données pour le calcul de la bonification », the Caf-only Sias number
# (seed 001 §2.1) and the local auto-diagnostic page (never transmitted).
AFAS_BONUS = ["nb_collectifs_bonus_enfants", "nb_collectifs_bonus_parents"]
CAF_ONLY = ["numero_sias"]
DIAGNOSTIC = {
    "diag_zone_rurale": "yes_no",
    "diag_enfant_handicap": "yes_no",
    "diag_intervenants_par_seance": "integer",
    "diag_seances_par_semaine": "integer",
    "diag_duree_seance_minutes": "integer",
    "diag_action_individuelle": "yes_no",
    "diag_coordinateur_bac2": "yes_no",
}

YES_NO = [
    "qpv",
    "contractualisation",
    "formation_coordinateur",
    "formation_animateurs",
    "bonus_enfants",
    "bonus_parents",
]


@pytest.fixture(scope="module")
def official() -> FormDefinition:
    return load_definition(OFFICIAL)


@pytest.fixture(scope="module")
def essai_v1() -> FormDefinition:
    return load_definition(ESSAI_V1)


@pytest.fixture(scope="module")
def essai_v2() -> FormDefinition:
    return load_definition(ESSAI_V2)


def _ids(definition: FormDefinition) -> list[str]:
    return [q.id for q in definition.questions()]


def _labels(options: list) -> list[str]:
    return [o.label for o in options]


# --- the official definition ------------------------------------------------------------------


def test_official_definition_loads_with_its_campaign(official: FormDefinition) -> None:
    assert official.key == ("clas-2024-2025", 1)
    assert official.title == "Bilan d'activité Clas 2024-2025"
    assert official.description
    assert official.campaign.school_year == "2024-2025"
    assert str(official.campaign.opens) == "2025-09-10"
    assert str(official.campaign.closes) == "2025-10-15"


def test_question_ids_are_unique(official: FormDefinition) -> None:
    ids = _ids(official)
    assert len(ids) == len(set(ids))
    assert set(ids) == set(SPHINX_ORDER) | set(AFAS) | set(AFAS_BONUS) | set(CAF_ONLY) | set(DIAGNOSTIC)


def test_sphinx_questions_keep_the_official_order(official: FormDefinition) -> None:
    assert [i for i in _ids(official) if i in SPHINX_ORDER] == SPHINX_ORDER
    assert [i for i in _ids(official) if i in AFAS] == AFAS


def test_sphinx_labels_are_the_official_wording(official: FormDefinition) -> None:
    for qid, label in SPHINX_LABELS.items():
        assert official.question(qid).label == label, qid
    assert "bilan qualitatif" in official.question("bilan_qualitatif").label.lower()


@pytest.mark.parametrize("qid", sorted(MATRICES))
def test_matrix_rows_and_columns_match_the_seed(official: FormDefinition, qid: str) -> None:
    rows, columns = MATRICES[qid]
    question = official.question(qid)
    assert question.type == "matrix"
    assert question.required
    assert _labels(question.rows) == rows
    assert _labels(question.choices) == columns


def test_actions_parents_is_a_yes_no_matrix(official: FormDefinition) -> None:
    assert [c.id for c in official.question("actions_parents").choices] == ["oui", "non"]


def test_status_choices_and_the_conditional_other(official: FormDefinition) -> None:
    statut = official.question("statut_structure")
    assert statut.type == "single_choice"
    assert [(c.id, c.label) for c in statut.choices] == [
        ("associatif", "Associatif"),
        ("public", "Public"),
        ("autre", "Autre"),
    ]
    autre = official.question("statut_autre")
    assert autre.required
    assert autre.visible_if is not None
    assert autre.visible_if.question == "statut_structure"
    assert autre.visible_if.equals == "autre"


def test_age_groups(official: FormDefinition) -> None:
    ages = official.question("ages")
    assert ages.type == "multiple_choice"
    assert ages.required
    assert [(c.id, c.label) for c in ages.choices] == [
        ("ages_6_10", "6 à 10 ans (primaire)"),
        ("ages_11_15", "11 à 15 ans (collège)"),
        ("ages_16_18", "16 à 18 ans (lycée)"),
    ]


def test_yes_no_questions(official: FormDefinition) -> None:
    for qid in YES_NO:
        question = official.question(qid)
        assert question.type == "yes_no", qid
        assert question.required, qid


def test_identification_and_localisation_types(official: FormDefinition) -> None:
    expected = {
        "email": "email",
        "siret": "siret",
        "siren": "siren",
        "code_postal": "postal_code",
        "code_insee": "insee_code",
        "nom_structure": "text",
        "statut_autre": "text",
    }
    for qid, qtype in expected.items():
        assert official.question(qid).type == qtype, qid
    for qid in IDENTIFICATION + LOCALISATION:
        assert official.question(qid).required == (qid != "numero_voie"), qid


def test_fiche_structure_holds_the_identification(official: FormDefinition) -> None:
    structure_pages = [p for p in official.pages if p.part == "structure"]
    assert structure_pages
    assert official.pages[0].part == "structure"
    assert [q.id for q in official.part_questions("structure") if not q.caf_only] == IDENTIFICATION
    assert [q.id for q in official.part_questions("structure") if q.caf_only] == CAF_ONLY
    for qid in SPHINX_ORDER[8:] + AFAS:
        assert official.page_of(qid).part == "action", qid


def test_afas_block_is_numeric_with_bounds(official: FormDefinition) -> None:
    for qid in AFAS:
        question = official.question(qid)
        assert question.label == AFAS_LABELS[qid], qid
        assert question.type in NUMERIC_TYPES, qid
        assert question.required, qid
        assert question.min is not None, qid
        assert question.max is not None, qid
        assert question.unit, qid
    assert official.question("semaines_sept_dec").max == 17
    assert official.question("semaines_janv_aout").max == 35
    for qid in ("etp_salaries", "etp_benevoles"):
        assert official.question(qid).type == "decimal"
        assert official.question(qid).decimals == 2


def test_qualitative_bilan_is_mandatory_and_document_optional(official: FormDefinition) -> None:
    bilan = official.question("bilan_qualitatif")
    assert bilan.type == "long_text"
    assert bilan.required
    assert bilan.help
    assert bilan.max_length == 30000
    document = official.question("document_complementaire")
    assert document.type == "file"
    assert not document.required
    assert document.max_size_bytes == 10 * 1024 * 1024
    assert {"application/pdf", "image/jpeg", "image/png"} <= set(document.accept)


@pytest.mark.parametrize("qid", sorted(BONUS_CRITERIA))
def test_bonus_criteria_show_only_when_the_bonus_is_yes(official: FormDefinition, qid: str) -> None:
    bonus, labels = BONUS_CRITERIA[qid]
    question = official.question(qid)
    assert question.type == "multiple_choice"
    # Not a question of the official questionnaire (issue 11): never required, a Oui without criterion is advice.
    assert not question.required
    assert _labels(question.choices) == labels
    assert question.visible_if is not None
    assert question.visible_if.question == bonus
    assert question.visible_if.equals is True


def test_rules_are_declared(official: FormDefinition) -> None:
    rules = {r.id: r for r in official.rules}
    assert len(rules) == len(official.rules)
    assert any(r.kind == "siren_of_siret" and r.severity == "error" for r in official.rules)
    levels = next(r for r in official.rules if r.kind == "compare" and r.left.sum)
    assert set(levels.left.sum or []) == {
        "nb_enfants_elementaire",
        "nb_enfants_college",
        "nb_enfants_lycee",
        "nb_enfants_hors_filiere",
    }
    assert levels.right.question == "nb_enfants_inscrits"
    assert levels.severity == "advice"  # issue 11: no source says the four levels are disjoint
    assert {r.severity for r in official.rules} == {"error", "advice"}
    for rule in official.rules:
        assert rule.message.strip()


def test_help_texts_are_short(official: FormDefinition) -> None:
    for question in official.questions():
        if question.help:
            assert len(question.help) <= 400, question.id


# --- the test definitions ---------------------------------------------------------------------


def test_essai_definitions_load(essai_v1: FormDefinition, essai_v2: FormDefinition) -> None:
    assert essai_v1.key == ("clas-essai", 1)
    assert essai_v2.key == ("clas-essai", 2)
    for definition in (essai_v1, essai_v2):
        assert definition.campaign.school_year == "2025-2026"
        assert str(definition.campaign.opens) == "2026-09-01"
        assert str(definition.campaign.closes) == "2026-10-31"
        assert len(definition.pages) == 3
        assert [p.part for p in definition.pages] == ["structure", "action", "action"]


@pytest.mark.parametrize("name", ["essai_v1", "essai_v2"])
def test_essai_covers_every_question_type(name: str, request: pytest.FixtureRequest) -> None:
    definition: FormDefinition = request.getfixturevalue(name)
    assert {q.type for q in definition.questions()} == set(typing.get_args(QuestionType))


def test_essai_has_a_chained_condition_and_every_rule_kind(essai_v1: FormDefinition) -> None:
    conditional: dict[str, Question] = {q.id: q for q in essai_v1.questions() if q.visible_if}
    controllers = {qid: q.visible_if.question for qid, q in conditional.items() if q.visible_if}
    assert any(controller in conditional for controller in controllers.values())
    kinds = {(r.kind, r.severity) for r in essai_v1.rules}
    assert ("compare", "error") in kinds
    assert ("compare", "advice") in kinds
    assert ("siren_of_siret", "error") in kinds


def test_essai_versions_share_question_ids(essai_v1: FormDefinition, essai_v2: FormDefinition) -> None:
    v1, v2 = _ids(essai_v1), _ids(essai_v2)
    added = set(v2) - set(v1)
    assert len(added) == 1
    assert set(v1) <= set(v2)
    reworded = [q.id for q in essai_v1.questions() if essai_v2.question(q.id).label != q.label]
    assert len(reworded) == 1
