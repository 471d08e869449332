"""Pages, furniture and robustness: pagination, footer, BROUILLON mark, metadata, attachments, targets."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from forms.lifecycle import Status
from forms.pdf import bilan_from_store, render_bilan
from forms.store import Store
from tests.forms.sample_answers import DOCUMENT, DOCUMENT_BYTES, complete_answers
from tests.pdf.conftest import Make
from tests.pdf.helpers import GENERATED_AT, body_text, flat, page_count, pdf_text, store_attachment

Render = Callable[[str], Path]


def long_text(size: int = 20_000) -> str:
    """Numbered French sentences in paragraphs, so that a lost or repeated piece shows."""
    sentences: list[str] = []
    n = 0
    while sum(len(s) + 1 for s in sentences) < size:
        n += 1
        sentences.append(f"Phrase n°{n} : l'élève « {n} » a progressé en lecture, œuvre et calcul.")
    paragraphs = [" ".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8)]
    return "\n".join(paragraphs)[:size].rsplit(" ", 1)[0]


def test_a_20000_character_bilan_paginates_with_its_text_intact(make: Make, render: Render) -> None:
    answers = complete_answers()
    answers["bilan_qualitatif"] = text = long_text()
    assert len(text) > 19_900
    path = render(make(answers))
    assert page_count(path) > 5  # the 5-page bilan plus several pages of text
    body = body_text(path)
    assert flat(text) in body


@pytest.mark.parametrize(
    ("status", "marked"),
    [
        (Status.EN_COURS, True),
        (Status.A_ENVOYER, True),
        (Status.A_CORRIGER, True),
        (Status.TRANSMIS, False),
        (Status.VALIDE, False),
    ],
)
def test_brouillon_mark_on_every_page_of_what_is_not_transmitted(
    make: Make, render: Render, status: Status, marked: bool
) -> None:
    path = render(make(status=status))
    pages = [page.extract_text() for page in PdfReader(path).pages]
    assert all(("BROUILLON" in page) == marked for page in pages)
    assert status.label in pdf_text(path)


def test_footer_numbers_pages_and_dates_the_document(make: Make, render: Render) -> None:
    path = render(make())
    pages = [flat(page.extract_text()) for page in PdfReader(path).pages]
    total = len(pages)
    for number, page in enumerate(pages, 1):
        assert f"Page {number} / {total}" in page
        generated = GENERATED_AT.astimezone()
        assert f"Document généré le {generated:%d/%m/%Y} à {generated:%H:%M} par Bilan Clas" in page


def test_metadata(store: Store, make: Make, render: Render) -> None:
    uuid = make()
    meta = PdfReader(render(uuid)).metadata
    assert meta is not None
    assert meta.title == "Bilan Clas 2024-2025 — Clas des Hauts-de-Chambéry — collèges et écoles du quartier"
    assert meta.author == "Association « Réussir Ensemble » des Hauts-de-Chambéry"
    assert meta.subject is not None
    assert meta.subject.startswith("Bilan d'activité Clas 2024-2025")
    assert meta.creator == "Bilan Clas"


def test_fonts_are_embedded_dejavu(make: Make, render: Render) -> None:
    """No base-14 font (Helvetica draws U+202F as a box): every font is a DejaVu subset, embedded."""
    reader = PdfReader(render(make()))
    resources: list[Any] = [page["/Resources"] for page in reader.pages]
    fonts: list[Any] = [f.get_object() for r in resources for f in r["/Font"].values()]
    assert fonts
    assert {str(f["/BaseFont"]).split("+")[-1] for f in fonts} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
        "DejaVuSans-Oblique",
    }
    assert all("/FontFile2" in f["/FontDescriptor"] for f in fonts)


def test_renders_to_a_binary_stream(store: Store, make: Make) -> None:
    stream = io.BytesIO()
    render_bilan(stream, bilan_from_store(store, make()), generated_at=GENERATED_AT)
    assert stream.getvalue().startswith(b"%PDF-")
    assert "Bilan Clas" in pdf_text(stream.getvalue())


def test_a_failed_render_leaves_no_file_behind(store: Store, make: Make, tmp_path: Path) -> None:
    bilan = bilan_from_store(store, make())
    out = tmp_path / "out"
    out.mkdir()
    target = out / "bilan.pdf"
    target.write_bytes(b"previous")

    class Boom(Exception):
        pass

    def explode(*_args: object) -> None:
        raise Boom

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("forms.pdf.document._build", explode)
        with pytest.raises(Boom):
            render_bilan(target, bilan, generated_at=GENERATED_AT)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in out.iterdir()] == ["bilan.pdf"]


def _with_document(make: Make) -> str:
    return make(complete_answers(with_document=True))


def test_attachment_that_checks_out(store: Store, make: Make, render: Render) -> None:
    uuid = _with_document(make)
    store_attachment(store, DOCUMENT_BYTES, str(DOCUMENT["sha256"]))
    text = pdf_text(render(uuid))
    assert f"Empreinte SHA-256 : {DOCUMENT['sha256']}" in text
    assert "Photos de la fête de fin d'année — été 2025.pdf 193 octets · PDF" in text
    assert "introuvable" not in text
    assert "altéré" not in text


def test_missing_attachment_is_reported_not_fatal(store: Store, make: Make, render: Render) -> None:
    text = pdf_text(render(_with_document(make)))
    assert "Photos de la fête de fin d'année — été 2025.pdf" in text
    assert "Fichier introuvable dans le dossier de données de l'application." in text


def test_corrupt_attachment_is_reported_not_fatal(store: Store, make: Make, render: Render) -> None:
    uuid = _with_document(make)
    store_attachment(store, DOCUMENT_BYTES + b"altered", str(DOCUMENT["sha256"]))
    text = pdf_text(render(uuid))
    assert "Fichier altéré : son contenu ne correspond plus à l'empreinte enregistrée." in text
    assert hashlib.sha256(DOCUMENT_BYTES + b"altered").hexdigest() not in text


def test_rows_and_notices_taller_than_a_page_split_instead_of_failing(store: Store, make: Make, render: Render) -> None:
    from reportlab.platypus import Paragraph

    from forms.pdf.document import PageFurniture, build_pdf
    from forms.pdf.flowables import QuestionRow
    from forms.pdf.styles import make_styles

    styles = make_styles()
    lines = [f"Ligne n°{n} d'une réponse interminable" for n in range(150)]
    story = [Paragraph("Avant", styles.body)] * 30 + [
        # One paragraph taller than a page, then as many one-line items.
        QuestionRow([Paragraph("Une question", styles.label)], [Paragraph("<br/>".join(lines), styles.answer)]),
        QuestionRow(
            [Paragraph("Une autre", styles.label)], [Paragraph(f"{line} bis", styles.answer) for line in lines]
        ),
    ]
    stream = io.BytesIO()
    furniture = PageFurniture("t", "a", "s", "pied", "généré", "en-tête", watermark=False)
    build_pdf(stream, story, furniture)
    assert page_count(stream.getvalue()) >= 5
    text = body_text(stream.getvalue())
    assert all(flat(line) in text for line in lines)
    assert all(f"{flat(line)} bis" in text for line in lines)

    from tests.pdf.helpers import add_notice

    uuid = make(status=Status.A_CORRIGER)
    message = "\n".join(lines)
    add_notice(store, uuid, message, question_id="nb_seances")
    text = body_text(render(uuid))
    assert text.count("Ligne n°149 d'une réponse interminable") == 2


def test_ill_shaped_values_print_as_they_are(store: Store, make: Make) -> None:
    """A Caf version or an old file may hold odd values: the bilan prints them, it never fails."""
    from dataclasses import replace

    bilan = bilan_from_store(store, make())
    odd = {
        **complete_answers(),
        "nb_collectifs": "trois",
        "etp_salaries": None,
        "ages": "ages_6_10",
        "situations": ["pas", "une", "matrice"],
        "activites": {"aide_methodologique": "inconnu"},
        "document_complementaire": "photo.pdf",
        "question_disparue": 12,
    }
    stream = io.BytesIO()
    render_bilan(stream, replace(bilan, answers=odd), generated_at=GENERATED_AT)
    text = pdf_text(stream.getvalue())
    assert "trois" in text
    assert "photo.pdf" in text
