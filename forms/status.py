"""Questionnaire statuses and their French labels, the same in the GUI, PDF, CLI and server (DESIGN §5)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    EN_COURS = "en_cours"
    A_ENVOYER = "a_envoyer"
    TRANSMIS = "transmis"
    A_CORRIGER = "a_corriger"
    VALIDE = "valide"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def editable(self) -> bool:
        """Only drafts and questionnaires returned by the Caf may be edited by the partner."""
        return self in (Status.EN_COURS, Status.A_CORRIGER)


_LABELS = {
    Status.EN_COURS: "En cours",
    Status.A_ENVOYER: "À envoyer",
    Status.TRANSMIS: "Transmis",
    Status.A_CORRIGER: "À corriger",
    Status.VALIDE: "Validé",
}

EDITABLE = frozenset(s for s in Status if s.editable)
