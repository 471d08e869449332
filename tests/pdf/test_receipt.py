"""The accusé de transmission: what was transmitted, when, under which fingerprint; refused for a draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from forms.pdf import bilan_from_store, render_receipt
from forms.status import Status
from forms.store import Store
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
