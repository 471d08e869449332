"""Regenerate docs/samples: a sample bilan (PDF), its page 1 and a matrix page, a draft's page 1, a receipt.

.venv/bin/python -m tests.pdf.make_samples      (needs pdftoppm, from poppler-utils)
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

import forms.store.store as store_module
from forms.lifecycle import Status
from forms.pdf import bilan_from_store, render_bilan, render_receipt
from forms.registry import FormRegistry
from forms.store import Store
from tests.forms.sample_answers import DOCUMENT, DOCUMENT_BYTES, TITLE, complete_answers
from tests.pdf.helpers import add_notice, set_status, store_attachment

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
TRANSMITTED_AT = dt.datetime(2025, 9, 30, 18, 42, 7, tzinfo=dt.UTC)
GENERATED_AT = dt.datetime(2025, 10, 6, 9, 15, tzinfo=dt.UTC)
MATRIX_PAGE = 2


def png(pdf: Path, page: int, name: str) -> None:
    """One page at 80 dpi, as the issue asks."""
    stem = SAMPLES / name
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
        check=True,
    )


def main() -> None:
    SAMPLES.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="samples-"))
    store = Store.open(folder, FormRegistry.load())
    store_module.utc_now = lambda: TRANSMITTED_AT  # fixed dates, so that the samples do not drift
    transmitted = store.create(form_id="clas-2024-2025", title=TITLE, answers=complete_answers(with_document=True))
    store.transmit(transmitted.uuid)
    set_status(store, transmitted.uuid, Status.TRANSMIS)
    store_attachment(store, DOCUMENT_BYTES, str(DOCUMENT["sha256"]))
    add_notice(
        store,
        transmitted.uuid,
        "204 séances pour 3 collectifs sur 34 semaines : merci de confirmer ce total avec votre déclaration réelle.",
        question_id="nb_seances",
    )
    add_notice(
        store, transmitted.uuid, "Adresse e-mail confirmée par téléphone.", question_id="email", status="resolved"
    )
    draft = store.create(form_id="clas-2024-2025", title="Ateliers du mercredi — école Pasteur")
    for question, value in complete_answers().items():
        if question in ("nom_structure", "statut_structure", "nom_caf", "lieu_action", "commune", "qpv", "ages"):
            store.set_answer(draft.uuid, question, value)

    example = SAMPLES / "bilan-exemple.pdf"
    render_bilan(example, bilan_from_store(store, transmitted.uuid), generated_at=GENERATED_AT)
    png(example, 1, "bilan-page1")
    png(example, MATRIX_PAGE, "bilan-matrices")
    draft_pdf = folder / "brouillon.pdf"
    render_bilan(draft_pdf, bilan_from_store(store, draft.uuid), generated_at=GENERATED_AT)
    png(draft_pdf, 1, "bilan-brouillon-page1")
    receipt = folder / "accuse.pdf"
    render_receipt(receipt, bilan_from_store(store, transmitted.uuid), generated_at=GENERATED_AT)
    png(receipt, 1, "accuse-transmission")
    store.close()
    print(f"Échantillons écrits dans {SAMPLES}")


if __name__ == "__main__":
    main()
