"""PDF bilans: one bilan, 100 in bulk, and the ratio to a bare reportlab document of as many pages.

The baseline is the cheapest document reportlab can make with the same fonts (registered once,
as the bilan does) and the same number of pages holding the same amount of text, in plain
paragraphs. Both run in the same process, interleaved, so that machine noise hits both alike.

    .venv/bin/python -m tests.benchmarks.bench_pdf [--runs 30] [--bulk 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from forms.pdf import bilan_from_store, export_all, render_bilan
from forms.pdf.fonts import register_fonts
from forms.pdf.styles import make_styles
from forms.registry import FormRegistry
from forms.store import Store
from tests.benchmarks.report import table
from tests.forms.sample_answers import TITLE, complete_answers

NOW = dt.datetime(2025, 10, 3, 14, 5, tzinfo=dt.UTC)
LINE_PARAGRAPH = 120  # characters: a label with its answer, a sentence of the qualitative bilan


def baseline(pages: int, chars_per_page: int, paragraph_chars: int) -> bytes:
    """A bare platypus document: plain paragraphs of `paragraph_chars` on `pages` A4 pages, DejaVu Sans."""
    register_fonts()
    style = make_styles().body
    sentence = "Les enfants ont gagné en autonomie et en confiance ; « 1 234,5 » heures. "
    text = (sentence * (paragraph_chars // len(sentence) + 1))[:paragraph_chars]
    story = []
    for _ in range(pages):
        story += [Paragraph(text, style) for _ in range(max(1, chars_per_page // paragraph_chars))]
        story.append(PageBreak())
    stream = io.BytesIO()
    SimpleDocTemplate(stream, pagesize=A4).build(story[:-1])
    return stream.getvalue()


def one_bilan(store: Store, uuid: str) -> bytes:
    stream = io.BytesIO()
    render_bilan(stream, bilan_from_store(store, uuid), generated_at=NOW)
    return stream.getvalue()


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="renders of one bilan (median), at least 20")
    parser.add_argument("--bulk", type=int, default=100, help="questionnaires exported at once")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as temporary:
        run(Path(temporary), args.runs, args.bulk)


def run(folder: Path, runs: int, bulk: int) -> None:
    store = Store.open(folder / "data", FormRegistry.load())
    uuid = store.create(form_id="clas-2024-2025", title=TITLE, answers=complete_answers(with_document=True)).uuid

    first = timed(lambda: one_bilan(store, uuid))  # includes font registration (once per process)
    sample = one_bilan(store, uuid)
    reader = PdfReader(io.BytesIO(sample))
    pages = len(reader.pages)
    chars = sum(len(p.extract_text()) for p in reader.pages) // pages

    bilan_times: list[float] = []
    bare_times: list[float] = []  # paragraphs of a line or two, as the bilan's labels and answers
    block_times: list[float] = []  # one paragraph filling each page: the cheapest possible layout
    for _ in range(max(20, runs)):
        bilan_times.append(timed(lambda: one_bilan(store, uuid)))
        bare_times.append(timed(lambda: baseline(pages, chars, LINE_PARAGRAPH)))
        block_times.append(timed(lambda: baseline(pages, chars, chars)))
    bilan_ms = statistics.median(bilan_times) * 1000
    bare_ms = statistics.median(bare_times) * 1000
    block_ms = statistics.median(block_times) * 1000

    for number in range(bulk - 1):
        store.create(form_id="clas-2024-2025", title=f"Action n°{number + 2}", answers=complete_answers())
    start = time.perf_counter()
    written = export_all(store, folder / "bilans", generated_at=NOW)
    bulk_s = time.perf_counter() - start
    store.close()

    ratio = bilan_ms / bare_ms
    rows = [
        ["first bilan (fonts registered)", first * 1000, "", ""],
        [f"one bilan, median of {len(bilan_times)}", bilan_ms, "", "target <= 300 ms"],
        [f"bare reportlab, {pages} pages of {LINE_PARAGRAPH}-char paragraphs", bare_ms, "", ""],
        ["ratio bilan / bare", ratio, "", "target <= 3x"],
        [f"bare reportlab, {pages} pages of one paragraph each", block_ms, "", ""],
        ["ratio bilan / one paragraph a page", bilan_ms / block_ms, "", "(for reference)"],
        [f"{len(written)} bilans in bulk (export_all)", bulk_s * 1000, bulk_s * 1000 / len(written), ""],
    ]
    print(f"PDF bilans: {pages} pages, ~{chars} characters a page")
    print(table(rows, ["", "total ms", "per bilan ms", ""]))
    ok = bilan_ms <= 300 and ratio <= 3
    print(f"targets (one bilan <= 300 ms, ratio <= 3x): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
