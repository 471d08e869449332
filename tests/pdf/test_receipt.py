"""The accusé de transmission: what was transmitted, when, under which fingerprint; refused for a draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from forms.lifecycle import Status
from forms.pdf import bilan_from_store, render_receipt
from forms.store import Store
from forms.store.outbox import Outbox
from tests.forms.sample_answers import DOCUMENT, complete_answers
from tests.pdf.conftest import Make
from tests.pdf.helpers import GENERATED_AT, flat, pdf_text


@pytest.mark.parametrize("status", [Status.A_ENVOYER, Status.TRANSMIS, Status.A_CORRIGER, Status.VALIDE])
def test_receipt_content(store: Store, make: Make, tmp_path: Path, status: Status) -> None:
    uuid = make(complete_answers(with_document=True), status=status)
    version = store.versions(uuid)[-1]
    path = tmp_path / "accuse.pdf"
    render_receipt(path, bilan_from_store(store, uuid), generated_at=GENERATED_AT)
    text = pdf_text(path)
    sent = version.created_at.astimezone()
    for fragment in (
        "Accusé de transmission",
        "Association « Réussir Ensemble » des Hauts-de-Chambéry",
        uuid,
        version.version_id,
        version.payload_sha256,
        f"{sent:%d/%m/%Y} à {sent:%H:%M:%S}",
        f"Statut auprès de la Caf {status.label} ·",
        str(DOCUMENT["sha256"]),
        "Page 1 / 1",
    ):
        assert flat(fragment) in text
    assert ("Transmis le" in text) == (status != Status.A_ENVOYER)
    assert "BROUILLON" not in text  # a receipt describes a frozen version
    meta = PdfReader(path).metadata
    assert meta is not None
    assert meta.title is not None
    assert meta.title.startswith("Accusé de transmission — Bilan Clas 2024-2025")


def test_no_receipt_for_a_questionnaire_never_transmitted(store: Store, make: Make, tmp_path: Path) -> None:
    path = tmp_path / "accuse.pdf"
    with pytest.raises(ValueError, match="n'a jamais été transmis"):
        render_receipt(path, bilan_from_store(store, make()), generated_at=GENERATED_AT)
    assert not path.exists()


def test_no_receipt_for_a_version_the_server_refused(store: Store, make: Make, tmp_path: Path) -> None:
    """Transmit, get refused, take it back: the server never accepted anything, so no accusé says « Transmis »."""
    uuid = make(complete_answers(), status=Status.A_ENVOYER)
    outbox = Outbox(store)
    (item,) = outbox.items(uuid)
    outbox.mark_refused(item.op_id, code="campaign_closed", message="La campagne est close.")
    path = tmp_path / "accuse.pdf"
    with pytest.raises(ValueError, match="n'a jamais été transmis"):
        render_receipt(path, bilan_from_store(store, uuid), generated_at=GENERATED_AT)  # refused, still queued
    outbox.withdraw(uuid)
    assert store.get(uuid).status is Status.EN_COURS
    with pytest.raises(ValueError, match="n'a jamais été transmis"):
        render_receipt(path, bilan_from_store(store, uuid), generated_at=GENERATED_AT)
    assert not path.exists()


def test_the_receipt_describes_the_accepted_version_not_a_newer_one(store: Store, make: Make, tmp_path: Path) -> None:
    uuid = make(complete_answers(), status=Status.A_CORRIGER)
    accepted = store.versions(uuid)[-1]
    store.transmit(uuid)  # a correction, still waiting in the outbox
    path = tmp_path / "accuse.pdf"
    render_receipt(path, bilan_from_store(store, uuid), generated_at=GENERATED_AT)
    text = pdf_text(path)
    assert flat(accepted.version_id) in text
    assert "Transmis le" in text
    assert flat("une version plus récente attend d'être envoyée") in text
