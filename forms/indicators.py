"""Mes indicateurs: the partner's own figures per campaign, from its own questionnaires.

Each figure is the sum, over the campaign's questionnaires, of the questions the definition marks
with that `indicator` (forms/definition.py): no question id is named here. The attendance rate is
derived: présences / (enfants inscrits × séances ÷ collectifs), the share of enrolled children
present at an average séance of their collectif, in per cent. Questionnaires sent to the Caf
(À envoyer, Transmis, Validé) count first; those still editable are counted apart, as drafts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forms.definition import FormDefinition
from forms.store import Store

# (key, French label, unit) in the order shown; the first seven are declared by definitions.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("children_enrolled", "Enfants inscrits", ""),
    ("families", "Familles", ""),
    ("collectifs", "Collectifs", ""),
    ("sessions", "Séances", ""),
    ("presences", "Présences", ""),
    ("attendance_rate", "Taux de présence", "%"),
    ("weeks", "Semaines d'activité", ""),
    ("hours", "Heures d'intervention", "h"),
)
LABELS = {key: label for key, label, _ in FIGURES}
UNITS = {key: unit for key, _, unit in FIGURES}
DECLARED = tuple(key for key, _, _ in FIGURES if key != "attendance_rate")


@dataclass
class Figures:
    """The sums over some questionnaires; a figure no question answered stays None."""

    questionnaires: int = 0
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, definition: FormDefinition, answers: dict[str, Any]) -> None:
        self.questionnaires += 1
        for question in definition.questions():
            value = answers.get(question.id)
            if question.indicator and isinstance(value, int | float) and not isinstance(value, bool):
                self.sums[question.indicator] = self.sums.get(question.indicator, 0) + value

    def value(self, key: str) -> float | None:
        if key != "attendance_rate":
            return self.sums.get(key)
        children, sessions, collectifs = (self.sums.get(k) for k in ("children_enrolled", "sessions", "collectifs"))
        presences = self.sums.get("presences")
        if not children or not sessions or not collectifs or presences is None:
            return None
        return round(100 * presences * collectifs / (children * sessions), 1)


@dataclass
class CampaignIndicators:
    school_year: str
    sent: Figures = field(default_factory=Figures)  # À envoyer, Transmis, Validé
    drafts: Figures = field(default_factory=Figures)  # still editable: En cours, À corriger


def indicators(store: Store) -> list[CampaignIndicators]:
    """Every campaign the partner has questionnaires in, oldest first (a chart reads left to right)."""
    by_year: dict[str, CampaignIndicators] = {}
    for info in store.list():
        if store.definition_missing(info.uuid):
            continue  # nothing says which answer counts for what
        definition = store.definition(info.uuid)
        year = definition.campaign.school_year
        campaign = by_year.setdefault(year, CampaignIndicators(year))
        (campaign.drafts if info.status.editable else campaign.sent).add(definition, store.answers(info.uuid))
    return [by_year[year] for year in sorted(by_year)]


def format_value(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    shown = f"{value:,.1f}" if key in ("attendance_rate", "hours") and value != int(value) else f"{int(value):,}"
    shown = shown.replace(",", "\u202f").replace(".", ",")
    unit = UNITS[key]
    return f"{shown}\u00a0{unit}" if unit else shown


def as_json(campaigns: list[CampaignIndicators]) -> list[dict[str, Any]]:
    return [
        {
            "school_year": c.school_year,
            "sent": {"questionnaires": c.sent.questionnaires, **{k: c.sent.value(k) for k, _, _ in FIGURES}},
            "drafts": {"questionnaires": c.drafts.questionnaires, **{k: c.drafts.value(k) for k, _, _ in FIGURES}},
        }
        for c in campaigns
    ]


def organisation_of(store: Store) -> str:
    """The partner's name for the page's heading: from its questionnaires' role, else a neutral one."""
    for info in store.list():
        if not store.definition_missing(info.uuid):
            name = store.definition(info.uuid).text_for_role(store.answers(info.uuid), "organisation_name")
            if name:
                return name
    return "Votre structure"
