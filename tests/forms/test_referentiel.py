"""Every référentiel rule the answers can decide (seeds 002, 003, 004): one case that fires it and one
that keeps it silent, each test citing the seed's sentence. The base case is the complete sample plus
an auto-diagnostic that meets every criterion: no advice at all."""

from __future__ import annotations

from typing import Any

import pytest

from forms.definition import FormDefinition
from forms.evaluation import Issue, evaluate
from tests.forms.sample_answers import complete_answers

DIAGNOSTIC_OK = {
    "diag_zone_rurale": False,
    "diag_enfant_handicap": False,
    "diag_intervenants_par_seance": 2,
    "diag_seances_par_semaine": 2,
    "diag_duree_seance_minutes": 90,
    "diag_action_individuelle": False,
    "diag_coordinateur_bac2": True,
}
# One collectif of five children, every figure consistent with it (families, levels, presences).
FIVE_CHILDREN = {
    "nb_collectifs": 1,
    "nb_enfants_inscrits": 5,
    "nb_familles": 5,
    "nb_enfants_elementaire": 5,
    "nb_enfants_college": 0,
    "nb_seances": 68,
    "total_presences": 300,
    "heures_salaries": 204,
    "heures_benevoles": 0,
    "etp_salaries": 0.13,
    "etp_benevoles": 0,
    "nb_collectifs_bonus_enfants": 1,
}


def answers(**changes: Any) -> dict[str, Any]:
    return {**complete_answers(), **DIAGNOSTIC_OK, **changes}


def fired(official: FormDefinition, rule_id: str, given: dict[str, Any]) -> Issue | None:
    found = [i for i in evaluate(official, given).issues if i.code == rule_id]
    assert len(found) <= 1
    return found[0] if found else None


def test_the_base_case_raises_no_advice(official: FormDefinition) -> None:
    evaluation = evaluate(official, answers())
    assert evaluation.issues == ()
    assert evaluate(official, answers(**FIVE_CHILDREN, diag_zone_rurale=True)).issues == ()


# --- collectif ---------------------------------------------------------------------------------


def test_collectif_of_at_least_8_children(official: FormDefinition) -> None:
    """Circulaire C-2026-069 § 2.1: « Un collectif d'enfants est un groupe constitué de 8 à 12 enfants
    maximum [...] En milieu rural [...] un nombre minimum de 5 enfants par collectif est accepté. Il en est de
    même pour un collectif d'enfants qui accueille un enfant en situation de handicap »."""
    urban_five = fired(official, "enfants_au_moins_8_par_collectif", answers(**FIVE_CHILDREN))
    assert urban_five is not None
    assert (urban_five.question_id, urban_five.severity) == ("nb_enfants_inscrits", "advice")
    assert urban_five.message == (
        "5 enfants inscrits pour 1 collectif(s), soit 5 par collectif : le référentiel demande au moins 8 enfants "
        "par collectif (5 en zone rurale ou quand le collectif accueille un enfant en situation de handicap)."
    )
    assert urban_five.source == "Circulaire C-2026-069, § 2.1, « S'inscrire dans une dynamique collective »"
    seven = {**FIVE_CHILDREN, "nb_enfants_inscrits": 7, "nb_familles": 7, "nb_enfants_elementaire": 7}
    assert fired(official, "enfants_au_moins_8_par_collectif", answers(**seven)) is not None
    # Silent: rural, or a disabled child, or 8 children, or the exception not yet known (5 to 8).
    assert fired(official, "enfants_au_moins_8_par_collectif", answers(**FIVE_CHILDREN, diag_zone_rurale=True)) is None
    handicap = answers(**FIVE_CHILDREN, diag_enfant_handicap=True)
    assert fired(official, "enfants_au_moins_8_par_collectif", handicap) is None
    eight = {**FIVE_CHILDREN, "nb_enfants_inscrits": 8, "nb_familles": 8, "nb_enfants_elementaire": 8}
    assert fired(official, "enfants_au_moins_8_par_collectif", answers(**eight)) is None
    undecided = {k: v for k, v in answers(**FIVE_CHILDREN).items() if k not in ("diag_zone_rurale",)}
    assert fired(official, "enfants_au_moins_8_par_collectif", undecided) is None
    # Below 5 it fires whatever the auto-diagnostic says (or does not say).
    four = {**FIVE_CHILDREN, "nb_enfants_inscrits": 4, "nb_familles": 4, "nb_enfants_elementaire": 4}
    assert fired(official, "enfants_au_moins_8_par_collectif", answers(**four, diag_zone_rurale=True)) is not None
    no_diagnostic = {k: v for k, v in answers(**four).items() if not k.startswith("diag_")}
    assert fired(official, "enfants_au_moins_8_par_collectif", no_diagnostic) is not None


def test_collectif_of_at_most_12_children(official: FormDefinition) -> None:
    """Référentiel national, « Définition d'un collectif d'enfants »: « Un collectif d'enfants est un groupe
    constitué de 8 à 12 enfants maximum qui se réunit durant toute l'année scolaire dans un même lieu »."""
    issue = fired(official, "enfants_au_plus_12_par_collectif", answers(nb_enfants_inscrits=37))
    assert issue is not None
    assert issue.message.startswith("37 enfants inscrits pour 3 collectif(s), soit 12,33 par collectif")
    assert fired(official, "enfants_au_plus_12_par_collectif", answers(nb_enfants_inscrits=36)) is None


def test_average_presence_per_seance_at_most_a_collectif(official: FormDefinition) -> None:
    """C-2026-069 § 2.1: « un collectif composé de 8 à 12 enfants maximum est constitué autour d'un même
    projet »: a séance gathers one collectif, so 12 children present on average at most."""
    issue = fired(official, "presences_au_plus_12_par_seance", answers(total_presences=204 * 13))
    assert issue is not None
    assert "soit 13 enfants présents en moyenne par séance" in issue.message
    assert fired(official, "presences_au_plus_12_par_seance", answers(total_presences=204 * 12)) is None


# --- staffing ----------------------------------------------------------------------------------


def test_two_intervenants_per_seance(official: FormDefinition) -> None:
    """C-2026-069 § 2.1: « Chaque collectif d'enfants doit être encadré et animé par 2 intervenants
    professionnels et/ou bénévoles [...] En milieu rural, l'encadrement par un animateur pour un collectif
    inférieur à 8 enfants est accepté. »"""
    one = fired(official, "intervenants_par_seance", answers(diag_intervenants_par_seance=1))
    assert one is not None
    assert one.question_id == "diag_intervenants_par_seance"
    assert one.message.startswith("1 intervenant(s) par séance : le référentiel demande 2 intervenants")
    assert fired(official, "intervenants_par_seance", answers()) is None
    rural_small = answers(**FIVE_CHILDREN, diag_zone_rurale=True, diag_intervenants_par_seance=1)
    assert fired(official, "intervenants_par_seance", rural_small) is None
    rural_ten = answers(diag_zone_rurale=True, diag_intervenants_par_seance=1)  # 10 children: 2 needed
    assert fired(official, "intervenants_par_seance", rural_ten) is not None
    # Rurality unknown: with 5 children the exception might apply (undecided, silent); with 10 it cannot.
    small = answers(**FIVE_CHILDREN, diag_intervenants_par_seance=1)
    assert (
        fired(official, "intervenants_par_seance", {k: v for k, v in small.items() if k != "diag_zone_rurale"}) is None
    )
    ten = answers(diag_intervenants_par_seance=1)
    assert fired(official, "intervenants_par_seance", {k: v for k, v in ten.items() if k != "diag_zone_rurale"})


def test_the_coordinator_has_a_bac_plus_2(official: FormDefinition) -> None:
    """Référentiel national, « Les coordinateurs des actions Clas »: « Il est demandé que ce coordinateur
    possède un niveau de formation équivalent à Bac +2 minimum »."""
    issue = fired(official, "coordinateur_bac_plus_2", answers(diag_coordinateur_bac2=False))
    assert issue is not None
    assert issue.source == "Référentiel national de financement des Clas, « Les coordinateurs des actions Clas »"
    assert fired(official, "coordinateur_bac_plus_2", answers()) is None
    assert fired(official, "coordinateur_bac_plus_2", complete_answers()) is None  # unanswered: silent


# --- séances and weeks -------------------------------------------------------------------------


def test_two_seances_a_week_per_collectif_from_the_afas_figures(official: FormDefinition) -> None:
    """C-2026-069 § 2.1: « chaque collectif d'enfants bénéficie de deux séances hebdomadaires, d'une heure
    trente par séance, sur une période de 27 semaines minimum » (in rural areas: « une séance hebdomadaire
    de 2 heures consécutives peut être validée »)."""
    sixty = answers(nb_seances=60, semaines_sept_dec=12, semaines_janv_aout=18, total_presences=540)
    issue = fired(official, "seances_par_semaine_par_collectif", sixty)
    assert issue is not None
    assert issue.message.startswith(
        "60 séances pour 3 collectif(s) et 30 semaines d'activité, soit 0,67 séance(s) par semaine et par collectif"
    )
    assert fired(official, "seances_par_semaine_par_collectif", answers()) is None  # 204 = 2 × 3 × 34
    rural_one_a_week = answers(nb_seances=102, total_presences=918, diag_zone_rurale=True)
    assert fired(official, "seances_par_semaine_par_collectif", rural_one_a_week) is None
    assert (
        fired(official, "seances_par_semaine_par_collectif", answers(nb_seances=102, total_presences=918)) is not None
    )


def test_two_seances_a_week_from_the_auto_diagnostic(official: FormDefinition) -> None:
    """C-2026-069 § 2.1: « chaque collectif d'enfants bénéficie de deux séances hebdomadaires » and « En milieu
    rural [...] une séance hebdomadaire de 2 heures consécutives peut être validée. »"""
    assert fired(official, "seances_hebdomadaires", answers(diag_seances_par_semaine=1)) is not None
    assert fired(official, "seances_hebdomadaires", answers()) is None
    rural = answers(diag_seances_par_semaine=1, diag_duree_seance_minutes=120, diag_zone_rurale=True)
    assert fired(official, "seances_hebdomadaires", rural) is None


def test_seances_of_1h30_or_one_of_2h_in_rural_areas(official: FormDefinition) -> None:
    """C-2026-069 § 2.1: « deux séances hebdomadaires, d'une heure trente par séance » ; « En milieu rural [...]
    une séance hebdomadaire de 2 heures consécutives peut être validée. »"""
    short = fired(official, "duree_seance", answers(diag_duree_seance_minutes=60))
    assert short is not None
    assert short.message.startswith("Séances de 60 minutes : le référentiel demande au moins 90 minutes")
    assert fired(official, "duree_seance", answers()) is None
    single = answers(diag_zone_rurale=True, diag_seances_par_semaine=1, diag_duree_seance_minutes=90)
    assert fired(official, "duree_seance", single) is not None
    assert fired(official, "duree_seance", {**single, "diag_duree_seance_minutes": 120}) is None


def test_at_least_27_weeks(official: FormDefinition) -> None:
    """C-2026-069 § 2.1: « sur une période de 27 semaines minimum de fonctionnement annuel »."""
    issue = fired(official, "semaines_minimum_27", answers(semaines_sept_dec=10, semaines_janv_aout=16))
    assert issue is not None
    assert issue.message.startswith("26 semaines d'activité dans l'année")
    assert fired(official, "semaines_minimum_27", answers(semaines_sept_dec=10, semaines_janv_aout=17)) is None


# --- collective, four axes ---------------------------------------------------------------------


def test_collective_only(official: FormDefinition) -> None:
    """C-2026-069 § 2.1: « Ainsi, les actions individualisées ou au domicile ne peuvent plus être financées dans
    le cadre des Clas. »"""
    issue = fired(official, "action_collective", answers(diag_action_individuelle=True))
    assert issue is not None
    assert issue.question_id == "diag_action_individuelle"
    assert fired(official, "action_collective", answers()) is None
    assert fired(official, "action_collective", complete_answers()) is None


NEVER = "jamais"


def _activities(**rows: str) -> dict[str, str]:
    return {**complete_answers()["activites"], **rows}


def test_homework_help_alone_is_not_a_clas(official: FormDefinition) -> None:
    """C-2026-069 § 2.1, « Important »: « Toute action relevant exclusivement de l'aide aux devoirs et du seul
    accompagnement au travail scolaire [...] n'est pas éligible à un financement au titre de la Ps Clas. »"""
    others = ["numerique", "culture_sport", "sciences_techniques", "jeux_educatifs", "sorties_visites", "citoyennete"]
    homework_only = _activities(**dict.fromkeys(others, NEVER), ecole_orientation=NEVER)
    assert fired(official, "pas_seulement_aide_aux_devoirs", answers(activites=homework_only)) is not None
    assert fired(official, "pas_seulement_aide_aux_devoirs", answers()) is None


def test_axis_children_methodology(official: FormDefinition) -> None:
    """Référentiel, objectifs opérationnels obligatoires: « Fournir aux enfants et aux jeunes un appui et une
    méthodologie au travail scolaire »."""
    never = answers(activites=_activities(aide_methodologique=NEVER))
    assert fired(official, "objectif_enfants_methodologie", never) is not None
    assert fired(official, "objectif_enfants_methodologie", answers()) is None


def test_axis_children_wider_interests(official: FormDefinition) -> None:
    """Référentiel, objectifs opérationnels obligatoires: « Leur permettre d'élargir leurs centres d'intérêt en
    mobilisant les ressources locales (ex/bibliothèques, médiathèques) »."""
    none = answers(activites=_activities(culture_sport=NEVER, sorties_visites=NEVER))
    assert fired(official, "objectif_enfants_ouverture", none) is not None
    assert fired(official, "objectif_enfants_ouverture", answers(activites=_activities(culture_sport=NEVER))) is None


def _parents(**rows: str) -> dict[str, str]:
    return {**complete_answers()["actions_parents"], **rows}


def test_axis_parents(official: FormDefinition) -> None:
    """C-2026-069 § 2.1: « Le projet Clas doit couvrir de manière cumulatives les quatre axes d'intervention
    suivants : [...] 2. Intervention auprès et avec les parents »."""
    nothing = answers(actions_parents=dict.fromkeys(complete_answers()["actions_parents"], "non"))
    issue = fired(official, "axe_parents", nothing)
    assert issue is not None
    assert issue.question_id == "actions_parents"
    # The finer objectives wait for an axis that exists: one piece of advice, not three.
    assert fired(official, "objectif_parents_convivialite", nothing) is None
    assert fired(official, "axe_parents", answers()) is None


def test_axis_parents_conviviality(official: FormDefinition) -> None:
    """Référentiel, objectifs opérationnels obligatoires: « Mettre en place des temps de convivialité
    enfants/parents »."""
    assert fired(official, "objectif_parents_convivialite", answers(actions_parents=_parents(convivialite="non")))
    assert fired(official, "objectif_parents_convivialite", answers()) is None


def test_axis_parents_codes_of_the_school(official: FormDefinition) -> None:
    """Référentiel, objectifs opérationnels obligatoires: « Informier et accompagner les parents dans leur
    compréhension des codes de l'école » (sic)."""
    assert fired(official, "objectif_parents_codes_ecole", answers(actions_parents=_parents(codes_ecole="non")))
    assert fired(official, "objectif_parents_codes_ecole", answers()) is None


def test_origin_of_enrolment_with_the_teachers(official: FormDefinition) -> None:
    """Référentiel, objectifs opérationnels obligatoires: « Etablir une collaboration avec les équipes éducatives
    pour l'orientation des enfants vers le Clas »."""
    origin = {**complete_answers()["origine_inscription"], "enseignants": NEVER}
    assert fired(official, "orientation_par_les_enseignants", answers(origine_inscription=origin)) is not None
    assert fired(official, "orientation_par_les_enseignants", answers()) is None


def test_axis_link_with_the_school(official: FormDefinition) -> None:
    """C-2026-069 § 2.1: « Le projet Clas doit couvrir de manière cumulatives les quatre axes d'intervention
    suivants : [...] 3. Concertation avec l'école »."""
    origin = {**complete_answers()["origine_inscription"], "enseignants": NEVER}
    no_link = answers(
        origine_inscription=origin,
        actions_parents=_parents(rencontres_enseignants="non"),
        activites=_activities(ecole_orientation=NEVER),
    )
    assert fired(official, "axe_ecole", no_link) is not None
    assert fired(official, "axe_ecole", {**no_link, "actions_parents": _parents()}) is None


# --- bonus (seed 002 and C-2026-069 § 2.2) -----------------------------------------------------


def test_bonus_yes_without_criterion_is_advice(official: FormDefinition) -> None:
    """C-2026-069 § 2.2: « Pour ouvrir droit au financement bonifié par collectif « d'enfants », le gestionnaire
    doit mettre en place un projet socio-éducatif organisé sur l'année scolaire et répondre aux critères »."""
    given = answers()
    del given["bonus_enfants_criteres"]
    evaluation = evaluate(official, given)
    assert [(i.code, i.severity) for i in evaluation.issues] == [("bonus_enfants_sans_critere", "advice")]
    assert evaluation.transmittable  # the criteria list is not an official question: never a block
    assert fired(official, "bonus_enfants_sans_critere", answers()) is None
    assert fired(official, "bonus_enfants_sans_critere", answers(bonus_enfants=False)) is None


def test_bonus_parents_mandatory_criterion(official: FormDefinition) -> None:
    """C-2026-069 § 2.2, bonus Parents: « obligatoire : L'action Clas porte un projet spécifique d'accompagnement
    des parents des enfants du Clas organisé sur l'année scolaire » and « Au moins un » of the others."""
    given = answers(bonus_parents=True, nb_collectifs_bonus_parents=3, bonus_parents_criteres=["actions_specifiques"])
    assert fired(official, "bonus_parents_critere_obligatoire", given) is not None
    given["bonus_parents_criteres"] = ["projet_parents", "actions_specifiques"]
    assert fired(official, "bonus_parents_critere_obligatoire", given) is None
    assert fired(official, "bonus_parents_un_autre_critere", given) is None
    given["bonus_parents_criteres"] = ["projet_parents"]
    assert fired(official, "bonus_parents_un_autre_critere", given) is not None


def test_bonus_per_collectif(official: FormDefinition) -> None:
    """Seed 002, AFAS map: « Données pour le calcul de la bonification »; C-2026-069 § 2.2: the bonus is
    granted « par collectif « d'enfants » »: no more collectifs with the bonus than collectifs."""
    issue = fired(official, "bonus_enfants_collectifs_au_plus_collectifs", answers(nb_collectifs_bonus_enfants=4))
    assert issue is not None
    assert issue.severity == "error"
    assert issue.message.startswith("4 collectifs concernés par le bonus « enfants » pour 3 collectif(s)")
    assert not evaluate(official, answers(nb_collectifs_bonus_enfants=4)).transmittable
    assert fired(official, "bonus_enfants_collectifs_au_plus_collectifs", answers()) is None


# --- presences ---------------------------------------------------------------------------------


def test_presences_consistent_with_seances_and_children(official: FormDefinition) -> None:
    """Seed 002, AFAS map: « Nombre total de séances réalisées dans l'année » and « Nombre total d'enfants
    présents toutes séances confondues »: at most one presence per child and séance, at least one per séance."""
    over = fired(official, "presences_au_plus_seances_x_inscrits", answers(total_presences=6121))
    assert over is not None
    assert over.severity == "error"
    assert "(6\u202f120)" in over.message
    under = fired(official, "presences_au_moins_seances", answers(total_presences=100))
    assert under is not None
    assert under.message.startswith("100 présences pour 204 séances")
    assert fired(official, "presences_au_plus_seances_x_inscrits", answers()) is None
    assert fired(official, "presences_au_moins_seances", answers()) is None


def test_levels_above_enrolled_is_advice_not_a_block(official: FormDefinition) -> None:
    """Seed 002, AFAS map: the four levels (élémentaire, collège, lycée, « hors filière générale (CAP, BEP,
    SEGPA...) »); no source says they are disjoint, so it never blocks."""
    given = answers(nb_enfants_hors_filiere=2)
    issue = fired(official, "niveaux_au_plus_inscrits", given)
    assert issue is not None
    assert issue.severity == "advice"
    assert issue.message.startswith("32 enfants répartis par niveau scolaire pour 30 inscrits : ")
    assert evaluate(official, given).transmittable


@pytest.mark.parametrize("rule_id", ["enfants_au_moins_8_par_collectif", "intervenants_par_seance",
                                     "seances_hebdomadaires", "duree_seance", "action_collective",
                                     "coordinateur_bac_plus_2"])  # fmt: skip
def test_auto_diagnostic_rules_are_silent_without_it(official: FormDefinition, rule_id: str) -> None:
    """Missing inputs: silent, never firing on partial data (what the server sees: no auto-diagnostic)."""
    assert fired(official, rule_id, {**complete_answers(), **FIVE_CHILDREN}) is None
