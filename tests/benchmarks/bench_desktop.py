"""Desktop figures, each beside a bare baseline measured in the same run (DESIGN §9, issues 3 and 13):

(a) cold start: process start -> main window painted, one event-loop turn, exit; the bare baseline
    is a PySide6 QMainWindow started, painted and left the same way. Both leave with os._exit on
    the turn after the first expose (desktop.app EXIT_AFTER_SHOWN), alternated run by run.
(a') the same at 100 and 1,000 questionnaires, until the list has painted its rows (not
    « Chargement… »): the turn after the list's first paint with rows in it. Bare window, window
    painted and rows painted alternated; the figure is rows painted minus window painted.
(b) page switch to the largest page of the official questionnaire, answers filled, in the main
    window: go_to_page + one processEvents (layout, paint, the page remembered in the store);
    opening a questionnaire from the list (after the app's own start-up step, which reopens the
    last questionnaire), until it is shown.
(c) resident memory with 100 questionnaires in the store, the list shown and one questionnaire
    open, in a fresh process; beside a bare QMainWindow's.

    .venv/bin/python -m tests.benchmarks.bench_desktop [--starts 15] [--switches 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.report import summary_ms, table

BARE_START = """
import os
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1180, 800)
class Exposed(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Expose and watched.isExposed():
            QTimer.singleShot(0, lambda: os._exit(0))
        return False
window.winId()
exposed = Exposed()
window.windowHandle().installEventFilter(exposed)
window.show()
app.exec()
"""

BARE_RSS = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1180, 800)
window.show()
for _ in range(5):
    app.processEvents()
print(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])
"""


def environment(pycache: Path | None = None) -> dict[str, str]:
    """The children's environment: offscreen, no keychain; with `pycache`, bytecode compiled once and kept
    there (as an installed package has it), even where PYTHONDONTWRITEBYTECODE is set."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    return time.perf_counter() - start


def fill_store(data_dir: Path, count: int) -> list[str]:
    """`count` questionnaires of the official form: a third complete, a third half filled, a third empty;
    their list summaries built (the upgrade's one-off cost is not the start-up's)."""
    from forms.registry import FormRegistry
    from forms.store import Store
    from tests.forms.sample_answers import complete_answers

    store = Store.open(data_dir, FormRegistry.load())
    answers = complete_answers()
    half = dict(list(answers.items())[: len(answers) // 2])
    created = []
    for number in range(count):
        chosen = (answers, half, {})[number % 3]
        created.append(
            store.create(form_id="clas-2024-2025", title=f"Action n°{number + 1} — « Élan »", answers=chosen).uuid
        )
    for uuid in created[: count // 2 : 3]:  # half of the complete ones are transmitted
        store.transmit(uuid)
    from forms.store.summary import summaries

    summaries(store)
    store.close()
    return created


def cold_start(runs: int) -> list[list[object]]:
    app = [str(Path(sys.executable).with_name("bilan-clas"))]
    with tempfile.TemporaryDirectory(prefix="bench-desktop-") as folder:
        data = Path(folder) / "data"
        fill_store(data, 5)
        env = environment(Path(folder) / "pycache")
        commands = {
            "bare QMainWindow": ([sys.executable, "-c", BARE_START], env),
            "Bilan Clas, window painted": (
                [*app, "--data-dir", str(data)],
                {**env, "BILAN_CLAS_EXIT_AFTER_SHOWN": "1"},
            ),
            "Bilan Clas, rows painted": (
                [*app, "--data-dir", str(data)],
                {**env, "BILAN_CLAS_EXIT_AFTER_SHOWN": "list"},
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command, child_env in commands.values():  # warm the file cache and compile the bytecode; not counted
            timed(command, child_env)
        for _ in range(runs):
            for name, (command, child_env) in commands.items():
                times[name].append(timed(command, child_env))
    bare = statistics.median(times["bare QMainWindow"])
    return [
        [name, statistics.median(t) * 1000, min(t) * 1000, statistics.median(t) / bare] for name, t in times.items()
    ]


def list_first_paint(sizes: list[int], runs: int) -> list[list[object]]:
    """Per store size, alternated: a bare window, start -> window painted, start -> rows painted."""
    app = [str(Path(sys.executable).with_name("bilan-clas"))]
    found: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-desktop-") as folder:
        env = environment(Path(folder) / "pycache")
        for size in sizes:
            data = Path(folder) / f"data-{size}"
            fill_store(data, size)
            base = [*app, "--data-dir", str(data)]
            commands = {
                "bare": ([sys.executable, "-c", BARE_START], env),
                "window": (base, {**env, "BILAN_CLAS_EXIT_AFTER_SHOWN": "1"}),
                "rows": (base, {**env, "BILAN_CLAS_EXIT_AFTER_SHOWN": "list"}),
            }
            for command, child_env in commands.values():  # compiles the bytecode, warms the cache; not counted
                timed(command, child_env)
            times: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(runs):
                for name, (command, child_env) in commands.items():
                    times[name].append(timed(command, child_env))
            bare, window, rows = (statistics.median(times[n]) * 1000 for n in ("bare", "window", "rows"))
            found.append([size, bare, window, rows, rows - window])
    return found


def page_switches(count: int) -> tuple[str, int, dict[str, float], float]:
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.app import _application
    from desktop.main_window import MainWindow

    app = _application()
    with tempfile.TemporaryDirectory(prefix="bench-desktop-") as folder:
        data = Path(folder) / "data"
        uuid = fill_store(data, 3)[1]  # the half-filled one: pages in every state
        window = MainWindow(data)
        window.resize(1180, 800)
        window.show()
        while window.pdf is None:  # the app's own start-up step (which reopens the last questionnaire) is done
            app.processEvents()
        opens = []
        for _ in range(5):
            start = time.perf_counter()
            window.open_questionnaire(uuid)
            QApplication.processEvents()
            opens.append(time.perf_counter() - start)
            window.show_home()
            QApplication.processEvents()
        window.open_questionnaire(uuid)
        view = window.questionnaire_view
        assert view is not None
        sizes = {v.page.id: len(v.findChildren(QWidget)) for v in view.form.page_views}
        largest = max(sizes, key=sizes.__getitem__)
        other = view.binding.pages[0].id
        samples = []
        for _ in range(count):
            view.form.go_to_page(other)
            QApplication.processEvents()
            start = time.perf_counter()
            view.form.go_to_page(largest)
            QApplication.processEvents()
            samples.append(time.perf_counter() - start)
        window.close()
        app.processEvents()
    return largest, sizes[largest], summary_ms(samples), statistics.median(opens) * 1000


def rss_child(data_dir: str) -> None:
    """In a fresh process: the main window over DATA, the list shown, one questionnaire open; print VmRSS (kB)."""
    from desktop.app import _application
    from desktop.main_window import MainWindow

    app = _application()
    window = MainWindow(Path(data_dir))
    window.resize(1180, 800)
    window.show()
    start = time.perf_counter()
    while window.pdf is None:  # after the app's own start-up step, which may reopen the last questionnaire
        app.processEvents()
    listed = time.perf_counter() - start
    rows = len(window.home.rows)
    window.open_questionnaire(next(iter(window.home.rows)))
    for _ in range(5):
        app.processEvents()
    rss = Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]
    print(rss, rows, f"{listed:.3f}")
    os._exit(0)


def memory() -> list[list[object]]:
    with tempfile.TemporaryDirectory(prefix="bench-desktop-") as folder:
        data = Path(folder) / "data"
        fill_store(data, 100)
        ours = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_desktop", "--rss-child", str(data)],
            env=environment(),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.split()
    bare = subprocess.run(
        [sys.executable, "-c", BARE_RSS], env=environment(), capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    rss, rows, listed = int(ours[0]) / 1024, int(ours[1]), float(ours[2])
    return [
        ["bare QMainWindow", int(bare[0]) / 1024, "", ""],
        [f"Bilan Clas, {rows} questionnaires listed, 1 open", rss, listed * 1000, rss / (int(bare[0]) / 1024)],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=15, help="runs of each start, alternated")
    parser.add_argument("--switches", type=int, default=200)
    parser.add_argument("--list-sizes", default="100,1000", help="store sizes for the rows-after-window figure")
    parser.add_argument("--rss-child", metavar="DATA", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.rss_child:
        rss_child(args.rss_child)
        return

    failed: list[str] = []
    print(f"Load average at start: {os.getloadavg()[0]:.2f}\n")
    try:
        starts = cold_start(args.starts)
    except Exception as error:  # noqa: BLE001 - each part says what failed; the others still run
        failed.append(f"(a) cold start: {error!r}")
    else:
        print(f"(a) Cold start, offscreen, median of {args.starts} alternated runs each")
        print(table(starts, ["", "median ms", "min ms", "× bare"]))
        ratio = starts[1][3]
        print(f"    target window painted <= 1.5x bare: {'met' if ratio <= 1.5 else 'NOT met'} ({ratio:.2f}x)\n")

    sizes = [int(n) for n in args.list_sizes.split(",") if n]
    if sizes:
        runs = max(3, args.starts // 3)
        try:
            painted = list_first_paint(sizes, runs)
        except Exception as error:  # noqa: BLE001
            failed.append(f"(a') rows painted: {error!r}")
        else:
            print(f"(a') Rows painted after the window, by store size, medians of {runs} alternated runs "
                  f"(load average {os.getloadavg()[0]:.1f})")  # fmt: skip
            header = [
                "questionnaires",
                "bare window ms",
                "window painted ms",
                "rows painted ms",
                "rows after window ms",
            ]
            print(table(painted, header))
            worst = max(p[4] for p in painted)
            print(f"    target rows <= 1 s after the window at every size: {'met' if worst <= 1000 else 'NOT met'}\n")

    try:
        page, widgets, switch, opened = page_switches(args.switches)
    except Exception as error:  # noqa: BLE001
        failed.append(f"(b) page switch and opening: {error!r}")
    else:
        print(f"(b) Page switch to the largest page ({page}, {widgets} widgets), {args.switches} switches")
        print(table([[switch["p50"], switch["p95"], switch["max"]]], ["p50 ms", "p95 ms", "max ms"]))
        print(f"    target p95 < 30 ms: {'met' if switch['p95'] < 30 else 'NOT met'}")
        print(
            f"    opening a questionnaire from the list: {opened:.0f} ms (median of 5; target <= 300 ms: "
            f"{'met' if opened <= 300 else 'NOT met'})\n"
        )

    try:
        rows = memory()
    except Exception as error:  # noqa: BLE001
        failed.append(f"(c) memory: {error!r}")
    else:
        print("(c) Resident memory (VmRSS)")
        print(table(rows, ["", "MB", "services started after ms", "× bare"]))
        print(f"    target < 200 MB: {'met' if rows[1][1] < 200 else 'NOT met'}")
    for failure in failed:
        print(f"FAILED {failure}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
