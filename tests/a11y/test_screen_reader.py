"""A real screen reader's view (issue 15 item 9): the app on a virtual X display with the AT-SPI bus
(at-spi2-core, python3-pyatspi, under dbus-run-session), its accessibility tree walked on the list, every
page of a questionnaire and every dialog. Every element a screen reader stops on has a role and a French
name; a matrix cell is announced with its row, its column and its state; the page list with each page's state."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from forms.registry import FormRegistry
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.texts import ENGLISH
from tests.forms.sample_answers import complete_answers

ROOT = Path(__file__).resolve().parents[2]
PAGE_ITEM = re.compile(r"^Page \d+ : .+, (Complète|Incomplète : \d+ points? à voir|Non commencée|Facultative .+)")


def _walk(tmp_path: Path) -> dict[str, list[dict[str, Any]]]:
    data_dir = tmp_path / "data"
    store = Store.open(data_dir, FormRegistry.load())
    store.create(
        form_id=OFFICIAL_FORM,
        title="Coup de pouce lecture",
        answers={"qpv": True, "situations": {"difficultes_scolaires": "pour_beaucoup"}},
    )
    waiting = store.create(form_id=OFFICIAL_FORM, title="Aide aux devoirs", answers=complete_answers())
    store.transmit(waiting.uuid)  # a second row, in another state
    store.close()
    out = tmp_path / "tree.json"
    done = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-m", "tests.a11y.walk", str(data_dir), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_accessibility_tree_of_every_page_and_dialog(tmp_path: Path) -> None:
    tree = _walk(tmp_path)
    pages = [f"page-{i}" for i in range(1, 11)]
    assert list(tree) == ["liste", "ouvert", *pages, "connexion", "nouvelle-action", "profil", "points"]

    for state, nodes in tree.items():
        shown = [n for n in nodes if n["showing"] and n["role"] != "table cell"]
        assert shown, state
        nameless = [n["role"] for n in shown if not n["name"].strip()]
        assert nameless == [], f"{state}: sans nom : {nameless}"
        english = [n["name"] for n in shown if ENGLISH.search(n["name"]) and n["name"] != "OK"]
        assert english == [], f"{state}: en anglais : {english}"

    # The list's cells: each row is announced with its title and its state, every cell has a French name.
    cells = [n for n in tree["liste"] if n["role"] in ("table cell", "tree item") and n["showing"]]
    names = [n["name"] for n in cells]
    assert all(name.strip() for name in names), names
    assert [ENGLISH.search(name) for name in names if ENGLISH.search(name)] == [], names
    assert "Coup de pouce lecture, En cours" in names, names
    assert "Aide aux devoirs, À envoyer" in names, names
    assert "Statut : À envoyer" in names, names
    assert any(re.fullmatch(r"Progression : \d+ pages complètes sur \d+", name) for name in names), names
    assert any(name.startswith("Campagne ") for name in names), names  # the campaign's heading row

    for state in pages:
        items = [
            n["name"]
            for n in tree[state]
            if n["role"] == "list item" and n["showing"] and n["name"].startswith("Page ")
        ]
        assert len(items) == 10, state
        assert all(PAGE_ITEM.match(name) for name in items), items  # each page with its state

    matrix = [
        n for n in tree["page-3"] if n["role"] == "radio button" and n["name"].startswith("Difficultés scolaires")
    ]
    checked = [n["name"] for n in matrix if n["checked"]]
    assert len(checked) == 1
    assert checked[0].endswith(" : Pour beaucoup")  # row : column, and the state « coché »
    assert len(matrix) == 5  # one per column, each named with its row and its column

    login = {n["name"]: n["role"] for n in tree["connexion"] if n["showing"] and n["window"].startswith("Connexion")}
    assert login["Adresse du serveur"] in ("text", "entry")
    assert login["Mot de passe"] in ("password text", "text", "entry")
    assert login["Afficher le mot de passe"] == "check box"
    points = [n for n in tree["points"] if n["window"] == "Avant de transmettre" and n["role"] == "list item"]
    assert points
    assert all(n["name"] for n in points)
