"""Autosave latency: one answer write through the Store vs a bare SQLite UPDATE + COMMIT.

Both run in the same process, on files in the same temporary folder, with the same durability
settings (WAL, synchronous=FULL), interleaved in blocks so that disk and CPU noise hit both alike.

    .venv/bin/python -m tests.benchmarks.bench_autosave [--writes 2000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from forms.registry import FormRegistry
from forms.store import Store
from tests.benchmarks.report import summary_ms, table

BLOCK = 100


def bare_connection(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE answer (id INTEGER PRIMARY KEY, value TEXT NOT NULL)")
    connection.execute("INSERT INTO answer VALUES (1, '')")
    return connection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-autosave-"))
    bare = bare_connection(folder / "bare.sqlite3")
    store = Store.open(folder, FormRegistry.load())
    questionnaire = store.create(form_id="clas-2024-2025", title="Banc d'essai").uuid
    texts = [f"Association n°{i} — « Élan »" for i in range(BLOCK)]

    bare_times: list[float] = []
    store_times: list[float] = []
    for _ in range(args.writes // BLOCK):
        for text in texts:
            start = time.perf_counter()
            bare.execute("BEGIN IMMEDIATE")
            bare.execute("UPDATE answer SET value = ? WHERE id = 1", (text,))
            bare.execute("COMMIT")
            bare_times.append(time.perf_counter() - start)
        for text in texts:
            start = time.perf_counter()
            store.set_answer(questionnaire, "nom_structure", text)
            store_times.append(time.perf_counter() - start)
    store.close()

    bare_ms, store_ms = summary_ms(bare_times), summary_ms(store_times)
    rows = [
        ["bare sqlite3 UPDATE+COMMIT", bare_ms["p50"], bare_ms["p99"], bare_ms["max"]],
        ["Store.set_answer", store_ms["p50"], store_ms["p99"], store_ms["max"]],
        ["ratio", store_ms["p50"] / bare_ms["p50"], store_ms["p99"] / bare_ms["p99"], store_ms["max"] / bare_ms["max"]],
    ]
    print(f"Autosave, {len(store_times)} writes each, WAL + synchronous=FULL, in {folder}")
    print(table(rows, ["", "p50 ms", "p99 ms", "max ms"]))
    ok = store_ms["p99"] <= 3 * bare_ms["p99"] and store_ms["p99"] < 10
    print(f"target p99 <= 3x bare and < 10 ms: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
