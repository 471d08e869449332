"""A complete, valid answer set for the official questionnaire clas-2024-2025, for every test suite.

Realistic French content (accents, apostrophes, « guillemets »), a valid SIRET/SIREN pair and
figures that agree with each other: no error rule is broken and no référentiel advice is raised.
Import `complete_answers()` (a fresh copy each call, safe to modify) rather than copying values.

The optional document is left out by default, because a transmitted attachment must be uploaded
with its bytes: pass `with_document=True` to get it, and use `DOCUMENT_BYTES` as its content.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

FORM_ID = "clas-2024-2025"
FORM_VERSION = 1
TITLE = "Clas des Hauts-de-Chambéry — collèges et écoles du quartier"

SIRET = "73282932000074"
SIREN = "732829320"  # the first nine digits of SIRET

# A tiny but well-formed PDF, so that a test uploading or printing the document has real bytes.
DOCUMENT_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DOCUMENT = {
    "name": "Photos de la fête de fin d'année — été 2025.pdf",
    "sha256": hashlib.sha256(DOCUMENT_BYTES).hexdigest(),
    "size": len(DOCUMENT_BYTES),
    "media_type": "application/pdf",
}

BILAN_QUALITATIF = (
    "Cette année, trois collectifs ont accueilli 30 enfants et jeunes du quartier des Hauts-de-Chambéry, "
    "deux soirs par semaine à la maison de quartier « Le Biollay ».\n\n"
    "Avec les enfants : aide méthodologique, lecture plaisir, ateliers de sciences (fusées à eau, "
    "découverte du codage) et une sortie au musée des Charmettes. Les enfants ont gagné en autonomie "
    "et en confiance ; plusieurs enseignants l'ont remarqué lors des conseils de classe.\n\n"
    "Avec les parents : une rencontre individuelle par trimestre, un café des parents chaque mois et un "
    "accompagnement aux rencontres avec les enseignants. Les familles allophones ont été aidées à "
    "utiliser l'ENT du collège.\n\n"
    "Avec l'école : des échanges réguliers avec les directrices des écoles élémentaires et la CPE du "
    "collège Jules-Ferry. Difficultés : le recrutement de bénévoles en cours d'année ; perspectives : "
    "un quatrième collectif à la rentrée si la Caf et la ville l'accompagnent."
)

_ANSWERS: dict[str, Any] = {
    # fiche Structure — identification
    "nom_structure": "Association « Réussir Ensemble » des Hauts-de-Chambéry",
    "statut_structure": "associatif",
    "nom_caf": "Caf de la Savoie",
    "numero_organisme": "073-2024-0412",
    "email": "clas.reussir-ensemble@exemple.fr",
    "siret": SIRET,
    "siren": SIREN,
    # fiche Action — localisation
    "lieu_action": "Maison de quartier « Le Biollay »",
    "commune": "Chambéry",
    "code_postal": "73000",
    "code_insee": "73065",
    "numero_voie": "12 bis",
    "voie": "rue Général-Ferrié",
    # public and situations
    "qpv": True,
    "ages": ["ages_6_10", "ages_11_15"],
    "situations": {
        "difficultes_scolaires": "pour_beaucoup",
        "logement_inadapte": "pour_quelques_uns",
        "acces_limite_activites": "pour_beaucoup",
        "langue_parents": "pour_quelques_uns",
        "disponibilite_parents": "pour_beaucoup",
        "difficultes_socio_eco": "quasiment_tous",
    },
    "activites": {
        "aide_methodologique": "chaque_seance",
        "travail_personnel": "chaque_seance",
        "numerique": "plusieurs_par_mois",
        "culture_sport": "plusieurs_par_mois",
        "sciences_techniques": "quelques_par_an",
        "jeux_educatifs": "plusieurs_par_mois",
        "sorties_visites": "quelques_par_an",
        "citoyennete": "quelques_par_an",
        "ecole_orientation": "jamais",
    },
    # parents and enrolment
    "contractualisation": True,
    "actions_parents": {
        "rencontres_individuelles": "oui",
        "outils_liaison": "oui",
        "rencontres_enseignants": "oui",
        "convivialite": "oui",
        "participation_seances": "non",
        "rencontre_thematique": "oui",
        "numerique_parents": "oui",
        "associations_parents": "non",
        "codes_ecole": "oui",
    },
    "origine_inscription": {
        "familles": "assez_souvent",
        "enfants": "parfois",
        "enseignants": "toujours",
        "travailleurs_sociaux": "parfois",
        "acteurs_locaux": "parfois",
        "reussite_educative": "jamais",
    },
    # AFAS déclaration réelle: 3 collectifs of 10, 34 weeks, 2 séances a week per collectif
    "nb_collectifs": 3,
    "nb_enfants_inscrits": 30,
    "nb_enfants_elementaire": 18,
    "nb_enfants_college": 12,
    "nb_enfants_lycee": 0,
    "nb_enfants_hors_filiere": 0,
    "nb_familles": 24,
    "semaines_sept_dec": 14,
    "semaines_janv_aout": 20,
    "nb_seances": 204,
    "total_presences": 1836,
    "etp_salaries": 0.4,
    "etp_benevoles": 0.25,
    "heures_salaries": 612,
    "heures_benevoles": 306.5,
    # training, qualitative bilan
    "formation_coordinateur": True,
    "formation_animateurs": False,
    "bilan_qualitatif": BILAN_QUALITATIF,
    # bonus
    "bonus_enfants": True,
    "bonus_enfants_criteres": ["projet_socio_educatif", "sorties_culturelles"],
    "nb_collectifs_bonus_enfants": 3,  # AFAS « Données pour le calcul de la bonification »
    "bonus_parents": False,
}

STRUCTURE_QUESTIONS = (
    "nom_structure",
    "statut_structure",
    "nom_caf",
    "numero_organisme",
    "email",
    "siret",
    "siren",
)


def complete_answers(*, with_document: bool = False) -> dict[str, Any]:
    """A fresh copy of a complete, transmittable answer set for clas-2024-2025."""
    answers = copy.deepcopy(_ANSWERS)
    if with_document:
        answers["document_complementaire"] = dict(DOCUMENT)
    return answers


def structure_profile() -> dict[str, Any]:
    """The fiche Structure part of `complete_answers()`, as a structure profile."""
    return {k: _ANSWERS[k] for k in STRUCTURE_QUESTIONS}


def import_document(*, with_document: bool = False, **extra: Any) -> dict[str, Any]:
    """The import file (DESIGN §8) holding `complete_answers()`; `extra` adds or overrides keys."""
    return {
        "form_id": FORM_ID,
        "form_version": FORM_VERSION,
        "title": TITLE,
        "answers": complete_answers(with_document=with_document),
        **extra,
    }
