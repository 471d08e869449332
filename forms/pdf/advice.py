"""The bilan's « Avis au regard du référentiel » section: every advice the rules give, with its source.

What is printed is what forms.evaluation computes; this module only lays it out.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer
from reportlab.platypus.flowables import HRFlowable

from forms.evaluation import Issue, evaluate
from forms.formatting import escape
from forms.pdf import blocks
from forms.pdf.data import BilanData
from forms.pdf.styles import ACCENT, Styles

TITLE = "Avis au regard du référentiel"
INTRO = (
    "Ces avis comparent les réponses aux critères du référentiel national des Clas (circulaire C-2026-069 et "
    "référentiel de financement). Ils ne bloquent pas la transmission ; la Caf reste seule juge."
)
NONE = "Aucun avis : les réponses respectent les critères du référentiel que ce questionnaire permet de vérifier."


def referentiel_advice(bilan: BilanData) -> list[Issue]:
    """The rules' advice on the bilan's answers (auto-diagnostic answers included when this computer has them)."""
    evaluation = evaluate(bilan.definition, bilan.answers)
    return [i for i in evaluation.advice if i.rule_id is not None]


def advice_section(bilan: BilanData, styles: Styles) -> list[Flowable]:
    flow: list[Flowable] = [
        CondPageBreak(40 * mm),
        Paragraph("RÉFÉRENTIEL", styles.kicker),
        Paragraph(TITLE, styles.heading),
        HRFlowable(width="100%", thickness=0.6, color=ACCENT, spaceBefore=1, spaceAfter=4),
        Paragraph(escape(INTRO), styles.empty),
        Spacer(0, 4),
    ]
    found = referentiel_advice(bilan)
    if not found:
        return [*flow, Paragraph(escape(NONE), styles.empty)]
    definition = bilan.definition
    for issue in found:
        where = f"{definition.page_of(issue.question_id).title} › {definition.question(issue.question_id).label}"
        meta = f"CONSEIL · {escape(where)}"
        text = issue.message + (f"\nSource : {issue.source}" if issue.source else "")
        flow += [blocks.notice_box(meta, text, styles, resolved=False), Spacer(0, 5)]
    return flow
