"""How the client's costs grow with the number of questionnaires (issue 13, item 7): one table.

At each size (one data folder grown from 1 to 100, 1,000, 10,000 questionnaires of the official
form, a third complete, a third half filled, a third empty; a sixth transmitted):
- `bilan-clas list`: median of alternated child processes, beside `python -c pass` (bare baseline);
- autosave: Store.set_answer on one questionnaire of that store, beside a bare sqlite3
  UPDATE + COMMIT in the same folder, same durability (WAL, synchronous=FULL), interleaved;
- `bilan-clas sync` (the whole command, its own process) of that many queued transmissions, beside
  that many raw single PUTs of the same bodies in the same run (bench_sync.whole_command), against
  the reference server in its own process. Not at 10,000 by default (~10 minutes on 2 cores).

    .venv/bin/python -m tests.benchmarks.growth [--sizes 1,100,1000,10000] [--sync-sizes 1,100,1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.bench_autosave import bare_connection
from tests.benchmarks.bench_desktop import environment, timed
from tests.benchmarks.report import summary_ms, table

WRITES = 300


def grow(data: Path, held: int, count: int) -> None:
    """Add questionnaires to `data`, which holds `held`, until it holds `count` (as bench_desktop.fill_store)."""
    from forms.registry import FormRegistry
    from forms.store import Store
    from tests.forms.sample_answers import complete_answers

    store = Store.open(data, FormRegistry.load())
    try:
        answers = complete_answers()
        half = dict(list(answers.items())[: len(answers) // 2])
        for number in range(held, count):
            created = store.create(
                form_id="clas-2024-2025",
                title=f"Action n°{number + 1} — « Élan »",
                answers=(answers, half, {})[number % 3],
            )
            if number % 6 == 0:
                store.transmit(created.uuid)
    finally:
        store.close()


def list_figures(cli: str, data: Path, env: dict[str, str], runs: int) -> tuple[float, float]:
    """Medians (ms) of `bilan-clas list` and `python -c pass`, alternated."""
    command, bare = [cli, "list", "--data-dir", str(data)], [sys.executable, "-c", "pass"]
    timed(command, env)  # the summaries built once, bytecode compiled: not counted
    listed, passed = [], []
    for _ in range(runs):
        passed.append(timed(bare, env) * 1000)
        listed.append(timed(command, env) * 1000)
    return statistics.median(listed), statistics.median(passed)


def autosave_figures(data: Path) -> tuple[dict[str, float], dict[str, float]]:
    """p50/p99 (ms) of Store.set_answer in this store, and of a bare commit beside it."""
    from forms.registry import FormRegistry
    from forms.store import Store

    bare_path = data.parent / f"bare-{data.name}.sqlite3"
    bare_path.unlink(missing_ok=True)
    bare = bare_connection(bare_path)
    store = Store.open(data, FormRegistry.load())
    target = store.create(form_id="clas-2024-2025", title="Banc d'essai").uuid
    bare_times, store_times = [], []
    try:
        for block in range(WRITES // 50):
            for n in range(50):
                text = f"Association n°{block}-{n} — « Élan »"
                start = time.perf_counter()
                bare.execute("BEGIN IMMEDIATE")
                bare.execute("UPDATE answer SET value = ? WHERE id = 1", (text,))
                bare.execute("COMMIT")
                bare_times.append(time.perf_counter() - start)
            for n in range(50):
                start = time.perf_counter()
                store.set_answer(target, "nom_structure", f"Association n°{block}-{n} — « Élan »")
                store_times.append(time.perf_counter() - start)
        store.delete(target)
    finally:
        store.close()
        bare.close()
    return summary_ms(store_times), summary_ms(bare_times)


def sync_figures(sizes: list[int], folder: Path) -> dict[int, tuple[float, float]]:
    """{size: (whole command s, raw PUTs s)} against one server in its own process."""
    import requests

    from tests.benchmarks import bench_sync

    database = folder / "server.sqlite3"
    # An account per size: a command's first pull would otherwise download the smaller sizes' rows.
    for email in [*(f"commande-{size}@exemple.fr" for size in sizes), bench_sync.RAW_EMAIL]:
        bench_sync.server_cli(database, "add-partner", "--email", email, "--caf", "73", "--name", "Banc")
    bench_sync.server_cli(
        database, "campaign", "set", "clas-2024-2025", "--opens", "2025-09-10", "--closes", "2099-12-31"
    )
    port = bench_sync.free_port()
    server = bench_sync.start_server(database, port)
    found = {}
    try:
        for size in sizes:
            url, data = f"http://127.0.0.1:{port}", folder / f"sync-{size}"
            rows = bench_sync.whole_command(url, data, size, requests.Session(), f"commande-{size}@exemple.fr")
            found[size] = (float(rows[0][1]), float(rows[1][1]))  # type: ignore[arg-type]
    finally:
        server.terminate()
        server.wait(30)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,100,1000,10000")
    parser.add_argument("--sync-sizes", default="1,100,1000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    sync_sizes = [int(s) for s in args.sync_sizes.split(",") if s]
    cli = str(Path(sys.executable).with_name("bilan-clas"))
    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="bench-growth-"))
    env = environment(folder / "pycache")
    data = folder / "data"
    local: dict[int, tuple[float, float, dict[str, float], dict[str, float]]] = {}
    held = 0
    for size in sizes:
        grow(data, held, size)
        held = max(held, size)
        listed, passed = list_figures(cli, data, env, args.runs)
        saved, bare = autosave_figures(data)
        local[size] = (listed, passed, saved, bare)
        print(f"  {size}: list {listed:.0f} ms (pass {passed:.0f}), autosave p99 {saved['p99']:.2f} ms", flush=True)
    synced = sync_figures(sync_sizes, folder) if sync_sizes else {}
    load_after = os.getloadavg()[0]

    rows: list[list[object]] = []
    for size in sorted({*sizes, *sync_sizes}):
        row: list[object] = [f"{size:,}"]
        if size in local:
            listed, passed, saved, bare = local[size]
            row += [
                listed,
                passed,
                listed / passed,
                saved["p50"],
                saved["p99"],
                bare["p99"],
                saved["p99"] / bare["p99"],
            ]
        else:
            row += ["—"] * 7
        if size in synced:
            command, raw = synced[size]
            row += [command, raw, command / raw]
        else:
            row += ["—"] * 3
        rows.append(row)
    header = ["questionnaires", "list ms", "pass ms", "list/pass", "save p50", "save p99", "bare p99", "p99/bare",
              "sync s", "raw PUTs s", "sync/raw"]  # fmt: skip
    print(
        f"Client growth, medians of {args.runs} (list), {WRITES} writes (autosave); load average "
        f"{load_before:.1f} at start, {load_after:.1f} at end, {os.cpu_count()} cores; data in {folder}"
    )
    print(table(rows, header))


if __name__ == "__main__":
    main()
