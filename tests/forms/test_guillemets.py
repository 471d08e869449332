"""« … » kept to their words: a wrapped label never leaves « or » alone at a line's end or start."""

from __future__ import annotations

from forms.formatting import NBSP, guillemets


def test_guillemets_hold_to_their_words() -> None:
    held = f"le bonus «{NBSP}parents{NBSP}» (voir «{NBSP}Aide{NBSP}»)"
    assert guillemets("le bonus « parents » (voir « Aide »)") == held
    assert guillemets(f"déjà «{NBSP}insécables{NBSP}»") == f"déjà «{NBSP}insécables{NBSP}»"
    assert guillemets("sans guillemets") == "sans guillemets"
