"""The bilan: a header block, one section per page of the questionnaire, then the Caf's notices."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table
from reportlab.platypus.flowables import HRFlowable

from forms.definition import Page
from forms.evaluation import visible_answers
from forms.formatting import NOT_ANSWERED, escape, french_datetime, local
from forms.lifecycle import NoticeState, Status
from forms.pdf import blocks
from forms.pdf.advice import advice_section
from forms.pdf.data import BilanData
from forms.pdf.document import PageFurniture, build_pdf
from forms.pdf.fonts import REGULAR
from forms.pdf.styles import ACCENT, FRAME_WIDTH, MUTED_HEX, RULE, TINT, Styles, make_styles, table_style
from forms.store import NoticeInfo

PART_LABELS = {"structure": "FICHE STRUCTURE", "action": "FICHE ACTION"}
_STATUS_NOTES = {
    Status.EN_COURS: "Document provisoire : ce questionnaire est en cours de saisie et n'a pas été transmis à la Caf.",
    Status.A_ENVOYER: "Document provisoire : le questionnaire est prêt et partira vers la Caf "
    "à la prochaine synchronisation.",
    Status.A_CORRIGER: "Document provisoire : la Caf a renvoyé ce questionnaire pour correction ; "
    "les réponses ci-dessous peuvent encore changer.",
}


def render_bilan(target: Path | BinaryIO, bilan: BilanData, *, generated_at: dt.datetime) -> None:
    """Write the PDF bilan of one questionnaire to a path (atomically) or a binary stream."""
    styles = make_styles()
    story = header(bilan, styles) + body(bilan, styles) + advice_section(bilan, styles) + notices_section(bilan, styles)
    build_pdf(target, story, furniture(bilan, generated_at))


def furniture(bilan: BilanData, generated_at: dt.datetime, document: str | None = None) -> PageFurniture:
    """Metadata, footer and running header; `document` names a document other than the bilan itself."""
    name = f"Bilan Clas {bilan.definition.campaign.school_year}"
    organisation = bilan.organisation
    return PageFurniture(
        title=f"{document + ' — ' if document else ''}{name} — {bilan.info.title}",
        author=organisation if organisation != NOT_ANSWERED else "Bilan Clas",
        subject=f"{bilan.definition.title} — {organisation} — {bilan.info.title}",
        footer=f"{document} · {name}" if document else f"{name} · statut : {bilan.status_label}",
        generated=f"Document généré le {french_datetime(generated_at)} par Bilan Clas · "
        f"questionnaire {bilan.info.uuid}",
        running_header=f"{organisation} — {bilan.info.title}",
        watermark=bilan.draft,
    )


def info_table(rows: list[tuple[str, str]], styles: Styles) -> Table:
    """The identification box: muted labels, bold values, on a light tint."""
    data = [[Paragraph(escape(k), styles.meta_label), Paragraph(v, styles.meta_value)] for k, v in rows]
    table = Table(data, colWidths=[42 * mm, FRAME_WIDTH - 42 * mm], hAlign="LEFT")
    table.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (-1, -1), TINT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, 0), 8),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
            ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
        )
    )
    return table


def title_block(title: str, subtitle: str, styles: Styles) -> list[Flowable]:
    return [
        Paragraph("CONTRAT LOCAL D'ACCOMPAGNEMENT À LA SCOLARITÉ", styles.kicker_accent),
        Paragraph(escape(title), styles.title),
        Paragraph(escape(subtitle), styles.subtitle),
        HRFlowable(width="100%", thickness=1.6, color=ACCENT, spaceBefore=6, spaceAfter=10),
    ]


def campaign_text(bilan: BilanData) -> str:
    campaign = bilan.definition.campaign
    return (
        f"Année scolaire {escape(campaign.school_year)}<font name='{REGULAR}' color='{MUTED_HEX}'> · "
        f"campagne du {campaign.opens:%d/%m/%Y} au {campaign.closes:%d/%m/%Y}</font>"
    )


def header(bilan: BilanData, styles: Styles) -> list[Flowable]:
    info = bilan.info
    rows = [
        ("Structure", escape(bilan.organisation)),
        ("Action", escape(info.title)),
        ("Campagne", campaign_text(bilan)),
        ("Statut", f"{bilan.status_label}<font name='{REGULAR}' color='{MUTED_HEX}'> · depuis le "
         f"{french_datetime(info.status_changed_at)}</font>"),
    ]  # fmt: skip
    version = bilan.transmission
    if version is not None:
        label = "Dernière transmission" if info.status == Status.A_CORRIGER else "Version transmise"
        rows.append(
            (
                label,
                f"n°\u00a0{bilan.transmission_number} du {french_datetime(version.created_at)}"
                f"<br/><font name='{REGULAR}' size='7.5' color='{MUTED_HEX}'>identifiant "
                f"{escape(version.version_id)}</font>",
            )
        )
    rows.append(("Remarques de la Caf", notices_summary(bilan)))
    subtitle = f"{bilan.definition.title} · fiche Structure et fiche Action"
    flow = [*title_block("Bilan Clas", subtitle, styles), info_table(rows, styles)]
    note = _STATUS_NOTES.get(info.status)
    if note:
        flow += [Spacer(0, 6), Paragraph(escape(note), styles.warning)]
    return flow


def notices_summary(bilan: BilanData) -> str:
    if not bilan.notices:
        return "aucune"
    open_count = sum(1 for n in bilan.notices if n.status == NoticeState.OPEN)
    resolved = len(bilan.notices) - open_count
    return f"{open_count} ouverte{'s' * (open_count > 1)}, {resolved} résolue{'s' * (resolved > 1)}"


def _notice_meta(notice: NoticeInfo, where: str | None = None) -> str:
    """'REMARQUE DE LA CAF · ouverte · 12/03/2025' under a question; 'OUVERTE · date · where' in the list."""
    state = NoticeState(notice.status).label
    day = f"{local(notice.created_at):%d/%m/%Y}"
    if where is None:
        return f"REMARQUE DE LA CAF · {escape(state)} · {day}"
    return f"{escape(state.upper())} · {day} · {escape(where)}"


def body(bilan: BilanData, styles: Styles) -> list[Flowable]:
    definition = bilan.definition
    visible, kept = visible_answers(definition, bilan.answers)
    anchored: dict[str, list[NoticeInfo]] = defaultdict(list)
    for notice in bilan.notices:
        if notice.question_id in visible:
            anchored[notice.question_id].append(notice)
    flow: list[Flowable] = []
    for number, page in enumerate(definition.pages, 1):
        flow += page_section(number, page, visible, kept, anchored, bilan, styles)
    return flow


def page_section(
    number: int,
    page: Page,
    visible: frozenset[str],
    kept: dict[str, Any],
    anchored: dict[str, list[NoticeInfo]],
    bilan: BilanData,
    styles: Styles,
) -> list[Flowable]:
    flow: list[Flowable] = [
        CondPageBreak(50 * mm),
        Paragraph(PART_LABELS[page.part], styles.kicker),
        Paragraph(f"{number}.\u00a0{escape(page.title)}", styles.heading),
        HRFlowable(width="100%", thickness=0.6, color=ACCENT, spaceBefore=1, spaceAfter=4),
    ]
    section: str | None = None
    shown = [q for q in page.questions if q.id in visible]
    for question in shown:
        if question.section and question.section != section:
            section = question.section
            flow += [CondPageBreak(30 * mm), Paragraph(escape(section), styles.section)]
        value = kept.get(question.id)
        if question.type in blocks.BLOCK_TYPES:
            flow += blocks.block(question, value, styles, bilan.attachment_notes.get(question.id))
        else:
            flow.append(blocks.row(question, value, styles))
        for notice in anchored.get(question.id, []):
            flow += [
                Spacer(0, 3),
                blocks.notice_box(_notice_meta(notice), notice.message, styles, resolved=_resolved(notice)),
                Spacer(0, 4),
            ]
    if not shown:
        flow.append(Paragraph("Aucune question de cette page ne s'applique à cette action.", styles.empty))
    return flow


def notices_section(bilan: BilanData, styles: Styles) -> list[Flowable]:
    """Every notice, open and resolved, with the question it is about (nothing when there is none)."""
    if not bilan.notices:
        return []
    flow: list[Flowable] = [
        CondPageBreak(40 * mm),
        Paragraph("SUIVI", styles.kicker),
        Paragraph("Remarques de la Caf", styles.heading),
        HRFlowable(width="100%", thickness=0.6, color=ACCENT, spaceBefore=1, spaceAfter=6),
    ]
    definition = bilan.definition
    known = {q.id for q in definition.questions()}
    for notice in bilan.notices:
        if notice.question_id in known:
            page = definition.page_of(notice.question_id)
            where = f"{page.title} › {definition.question(notice.question_id).label}"
        else:
            where = "questionnaire entier"
        meta = _notice_meta(notice, where)
        flow += [blocks.notice_box(meta, notice.message, styles, resolved=_resolved(notice)), Spacer(0, 6)]
    return flow


def _resolved(notice: NoticeInfo) -> bool:
    return notice.status == NoticeState.RESOLVED
