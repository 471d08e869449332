"""The accusé de transmission: proof of what was transmitted, when, and under which fingerprint."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, Paragraph, Spacer

from forms.formatting import escape, file_size, french_datetime
from forms.lifecycle import Receipt, Status
from forms.pdf.bilan import campaign_text, furniture, info_table, title_block
from forms.pdf.data import BilanData
from forms.pdf.document import build_pdf
from forms.pdf.fonts import REGULAR
from forms.pdf.styles import MUTED_HEX, Styles, make_styles
from forms.store import VersionInfo

# What the Caf holds of the version an accusé describes, once the server accepted it.
_SERVER_STATE = {
    Status.A_ENVOYER: "reçu par la Caf ; une version plus récente attend d'être envoyée",
    Status.TRANSMIS: "reçu par la Caf",
    Status.A_CORRIGER: "reçu par la Caf, qui a demandé des corrections",
    Status.VALIDE: "reçu et validé par la Caf",
    Status.EN_COURS: "une nouvelle version est en préparation",
}
_READY = "en attente de synchronisation : la Caf ne l'a pas encore reçu"
_HASH_NOTE = (
    "L'empreinte SHA-256 identifie le contenu transmis (réponses et documents joints) : la Caf calcule "
    "la même empreinte à la réception. La moindre modification du contenu la change entièrement. "
    "Cet accusé est établi par l'application Bilan Clas à partir des données enregistrées sur cet ordinateur."
)


def render_receipt(target: Path | BinaryIO, bilan: BilanData, *, generated_at: dt.datetime) -> None:
    """Write the transmission receipt; ValueError (French message) if the questionnaire was never transmitted."""
    version = bilan.transmission
    if version is None:
        raise ValueError(
            f"Le questionnaire « {bilan.info.title} » n'a jamais été transmis à la Caf : "
            "il n'a pas d'accusé de transmission."
        )
    styles = make_styles()
    story = _story(bilan, version, styles)
    # A receipt describes a frozen version: never a draft, whatever the questionnaire became since.
    page = replace(furniture(bilan, generated_at, "Accusé de transmission"), watermark=False)
    build_pdf(target, story, page)


def _small(text: str) -> str:
    return f"<font name='{REGULAR}' size='8.5'>{text}</font>"


def _story(bilan: BilanData, version: VersionInfo, styles: Styles) -> list[Flowable]:
    info = bilan.info
    sent = bilan.receipt is Receipt.SENT
    state = _SERVER_STATE[info.status] if sent else _READY
    server = f"{info.status.label}<font name='{REGULAR}' color='{MUTED_HEX}'> · {escape(state)}</font>"
    if version.server_rev is not None:
        server += f"<br/>{_small(f'révision serveur n° {version.server_rev}')}"
    rows = [
        ("Structure", escape(bilan.organisation)),
        ("Action", escape(info.title)),
        ("Campagne", campaign_text(bilan)),
        ("Questionnaire", _small(escape(info.uuid))),
        ("Version transmise", f"n°\u00a0{bilan.transmission_number}<br/>{_small(escape(version.version_id))}"),
        ("Transmis le" if sent else "Prêt à partir le", french_datetime(version.created_at, seconds=True)),
        ("Empreinte SHA-256", _small(escape(version.payload_sha256))),
        ("Statut auprès de la Caf", server),
    ]
    intro = (
        "Ce document atteste la transmission à la Caf du questionnaire d'activité décrit ci-dessous."
        if sent
        else "Ce questionnaire est figé et prêt à partir : il sera transmis à la Caf à la prochaine "
        "synchronisation. Cet accusé le décrit tel qu'il partira."
    )
    flow: list[Flowable] = [
        *title_block("Accusé de transmission", bilan.definition.title, styles),
        Paragraph(escape(intro), styles.body),
        Spacer(0, 8),
        info_table(rows, styles),
        Spacer(0, 8),
        Paragraph(escape(_HASH_NOTE), styles.small),
    ]
    documents = [
        (q.label, version.answers[q.id])
        for q in bilan.definition.questions()
        if q.type == "file" and isinstance(version.answers.get(q.id), dict)
    ]
    if documents:
        flow += [Spacer(0, 6), Paragraph("Documents joints", styles.section)]
        for label, value in documents:
            flow += [
                Paragraph(escape(label), styles.small),
                Paragraph(
                    f"<b>{escape(str(value.get('name', '')))}</b>\u2002{file_size(value.get('size'))}", styles.body
                ),
                Paragraph(f"Empreinte SHA-256\u00a0: {escape(str(value.get('sha256', '')))}", styles.small),
                Spacer(0, 4),
            ]
    return flow
