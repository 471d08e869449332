"""The bilan prints the référentiel's advice in a section of its own, each with its source, read back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from forms.lifecycle import Status
from forms.store import Store
from tests.forms.sample_answers import complete_answers
from tests.pdf.conftest import Make
from tests.pdf.helpers import pdf_text


def test_advice_and_their_sources_are_printed(make: Make, render: Callable[[str], Path], store: Store) -> None:
    uuid = make({**complete_answers(), "semaines_janv_aout": 10, "diag_intervenants_par_seance": 1,
                 "diag_zone_rurale": False}, status=Status.A_ENVOYER)  # fmt: skip
    text = pdf_text(render(uuid))
    assert "Avis au regard du référentiel" in text
    section = text[text.index("Avis au regard du référentiel") :]
    assert "24 semaines d'activité dans l'année : le référentiel demande au moins 27 semaines" in section
    assert "Source : Circulaire C-2026-069, § 2.1, « S'inscrire dans une régularité de mise en œuvre »" in section
    # The auto-diagnostic answer is not in the transmitted version, but stays on this computer: used here.
    assert store.versions(uuid)[-1].answers.get("diag_intervenants_par_seance") is None
    assert "1 intervenant(s) par séance : le référentiel demande 2 intervenants" in section
    assert "Source : Circulaire C-2026-069, § 2.1, « Répondre à des critères d'encadrement »" in section


def test_no_advice_says_so(make: Make, render: Callable[[str], Path]) -> None:
    text = pdf_text(render(make()))
    section = text[text.index("Avis au regard du référentiel") :]
    assert "Aucun avis : les réponses respectent les critères du référentiel" in section
    assert "Source :" not in section
