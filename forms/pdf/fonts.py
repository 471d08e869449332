"""The embedded DejaVu Sans family, registered once per process.

The base-14 Helvetica draws U+202F (the French thousands separator) as a box, so every PDF
embeds a TrueType font shipped in resources/fonts. Parsing a TTF costs ~25 ms: registering on
every build would double the time of a bilan, hence the once-only guard (thread-safe, since
bulk export runs in a worker thread).
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
OBLIQUE = "DejaVuSans-Oblique"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", OBLIQUE: "DejaVuSans-Oblique.ttf"}

# Glyphs DejaVu Sans has and Helvetica lacks: the mark of a chosen matrix cell, bullets.
CHECK = "\u2714"  # ✔ heavy check mark
BULLET = "\u25aa"  # ▪ small black square

_lock = threading.Lock()
_registered = False


def fonts_dir() -> Path:
    return Path(str(resources.files("resources") / "fonts"))


def register_fonts() -> None:
    """Register the family with reportlab (idempotent; the first call parses the files)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        folder = fonts_dir()
        for name, file_name in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(folder / file_name)))
        # <b> and <i> in paragraph markup pick the right face. No bold oblique is shipped: bold
        # stands in, mapped first so that the bold face still reads back as plain bold.
        addMapping(REGULAR, 1, 1, BOLD)
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, OBLIQUE)
        _registered = True
