"""`bilan-clas` start-up and `list` as a person or a script waits for them, beside `python -c pass`.

Each figure is a whole child process through the installed entry point, median of alternated runs
(bytecode compiled once beforehand, as an installed package has it):
- `python -c pass` (the bare baseline) and `bilan-clas --help` (target <= 3x the baseline);
- `bilan-clas list` at each size: the first list after the summaries are dropped (what the first
  list after the upgrade to the summary step pays, once), then the list as usual (target <= 500 ms
  at 1,000 questionnaires).

    .venv/bin/python -m tests.benchmarks.bench_cli [--runs 7] [--sizes 100,1000]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

from tests.benchmarks.bench_desktop import environment, fill_store, timed
from tests.benchmarks.report import table


def _median_ms(command: list[str], env: dict[str, str], runs: int, before: object = None) -> float:
    samples = []
    for _ in range(runs):
        if callable(before):
            before()
        samples.append(timed(command, env))
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="100,1000")
    args = parser.parse_args()
    cli = str(Path(sys.executable).with_name("bilan-clas"))
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as folder:
        env = environment(Path(folder) / "pycache")
        bare = [sys.executable, "-c", "pass"]
        helps = [cli, "--help"]
        for command in (bare, helps):
            timed(command, env)  # compile the bytecode; not counted
        bare_ms, help_ms = [], []
        for _ in range(args.runs):  # alternated, so that the load hits both alike
            bare_ms.append(timed(bare, env) * 1000)
            help_ms.append(timed(helps, env) * 1000)
        baseline = statistics.median(bare_ms)
        rows: list[list[object]] = [
            ["python -c pass (baseline)", baseline, 1.0],
            ["bilan-clas --help", statistics.median(help_ms), statistics.median(help_ms) / baseline],
        ]
        lists = {}
        for size in [int(s) for s in args.sizes.split(",")]:
            data = Path(folder) / f"data-{size}"
            fill_store(data, size)
            command = [cli, "list", "--data-dir", str(data)]
            timed(command, env)

            def drop_summaries(path: Path = data) -> None:
                with sqlite3.connect(path / "bilan-clas.sqlite3") as c:
                    c.execute("DELETE FROM questionnaire_summary")

            first = _median_ms(command, env, max(1, args.runs // 3), drop_summaries)
            usual = _median_ms(command, env, args.runs)
            lists[size] = usual
            rows.append([f"bilan-clas list, {size}, summaries rebuilt (once)", first, first / baseline])
            rows.append([f"bilan-clas list, {size}", usual, usual / baseline])
    print(f"CLI, median of {args.runs} runs, load average {load:.1f} on {os.cpu_count()} cores at start")
    print(table(rows, ["", "median ms", "x baseline"]))
    ratio = rows[1][2]
    print(f"    target --help <= 3x python -c pass: {'met' if ratio <= 3 else 'NOT met'} ({ratio:.2f}x)")
    if 1000 in lists:
        print(
            f"    target list at 1,000 <= 500 ms: {'met' if lists[1000] <= 500 else 'NOT met'} ({lists[1000]:.0f} ms)"
        )


if __name__ == "__main__":
    main()
