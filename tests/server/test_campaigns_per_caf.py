"""Campaigns on the server (issue 12 items 1 and 9): per-Caf collection windows over the national one,
each partner told its own window by /meta and /forms, transmissions refused on a closed window with
`campaign_closed`, and `campaign publish` validating with the app's own loader."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from sync import protocol as p
from sync.server import campaigns
from sync.server.cli import main
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.forms.conftest import ESSAI_V1_PATH, ESSAI_V2_PATH
from tests.forms.sample_answers import FORM_ID
from tests.server.conftest import Server, problem, version_body

NATIONAL = (dt.date(2025, 9, 10), dt.date(2030, 12, 31))  # what the server fixture sets


def _window(forms: p.FormList | p.Meta, form_id: str = FORM_ID) -> tuple[dt.date | None, dt.date | None]:
    ref = next(f for f in forms.forms if f.form_id == form_id)
    return ref.opens, ref.closes


def test_a_campaign_closed_for_one_caf_and_open_for_another(server: Server) -> None:
    closed_caf, open_caf = f"c{uuid.uuid4().hex[:5]}", f"o{uuid.uuid4().hex[:5]}"
    today = campaigns.local_today(server.ctx.now())
    yesterday = today - dt.timedelta(days=1)
    # Each Caf code is new to this module's server: nothing to put back.
    campaigns.set_window(server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=yesterday, caf=closed_caf)
    late, on_time = server.partner(caf=closed_caf), server.partner(caf=open_caf)

    # Each partner is told its own window; anyone else the national one.
    assert _window(p.FormList.model_validate_json(late.get("/forms").content)) == (dt.date(2025, 9, 10), yesterday)
    assert _window(p.Meta.model_validate_json(late.get("/meta").content))[1] == yesterday
    assert _window(p.FormList.model_validate_json(on_time.get("/forms").content)) == NATIONAL
    assert _window(p.FormList.model_validate_json(server.anonymous().get("/forms").content)) == NATIONAL

    refused = problem(late.put_version(uuid.uuid4(), uuid.uuid4(), version_body()), 409, p.CAMPAIGN_CLOSED)
    assert refused.closes == yesterday
    assert "close depuis le" in refused.title
    on_time.transmit()  # the same campaign, open for the other Caf

    # The Caf extends its own window: the late partner may transmit again.
    campaigns.set_window(server.ctx, FORM_ID, opens=None, closes=today + dt.timedelta(days=3), caf=closed_caf)
    late.transmit()


def test_a_reviewers_token_or_a_stale_one_gets_the_national_window(server: Server) -> None:
    caf = f"r{uuid.uuid4().hex[:5]}"
    campaigns.set_window(server.ctx, FORM_ID, opens=None, closes=dt.date(2031, 3, 1), caf=caf)
    reviewer = server.reviewer(caf=caf)
    assert _window(p.FormList.model_validate_json(reviewer.get("/forms").content)) == NATIONAL
    stale = server.anonymous()
    stale.session.headers["Authorization"] = "Bearer inconnu"
    response = stale.get("/meta")
    assert response.status_code == 200
    assert _window(p.Meta.model_validate_json(response.content)) == NATIONAL


def _cli(capsys: pytest.CaptureFixture[str], server: Server, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--database-url", server.ctx.settings.database_url])
    out, err = capsys.readouterr()
    return code, out, err


def test_campaign_set_and_list_per_caf(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    caf = f"l{uuid.uuid4().hex[:5]}"
    code, out, _ = _cli(capsys, server, "campaign", "set", FORM_ID, "--caf", caf, "--closes", "2031-02-01")
    assert (code, out.strip()) == (
        0,
        f"Campagne {FORM_ID} pour la Caf {caf} : du 10 septembre 2025 au 1er février 2031",
    )
    code, out, _ = _cli(capsys, server, "campaign", "list", "--caf", caf)
    assert f"{FORM_ID} v1 (2024-2025) : du 10 septembre 2025 au 1er février 2031" in out
    code, out, _ = _cli(capsys, server, "campaign", "list")
    assert f"{FORM_ID} v1 (2024-2025) : du 10 septembre 2025 au 31 décembre 2030" in out  # national
    assert f"{FORM_ID}, Caf {caf} : du 10 septembre 2025 au 1er février 2031" in out
    code, _, err = _cli(capsys, server, "campaign", "set", FORM_ID, "--caf", caf, "--closes", "2020-01-01")
    assert code == 1
    assert "précède" in err


def test_campaign_publish_validates_with_the_apps_loader(
    server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    published = tmp_path / "publiees"
    settings = Settings(database_url=server.ctx.settings.database_url, forms_dirs=(published,))
    published.mkdir()
    running = ServerContext.open(settings)  # a server already running on that folder
    try:
        broken = tmp_path / "clas-casse.json"
        broken.write_text(json.dumps({"id": "clas-casse", "version": 1}), encoding="utf-8")
        code, out, err = _cli(capsys, server, "campaign", "publish", str(broken), "--forms-dir", str(published))
        assert code == 1
        assert err.startswith("bilan-clas-server : erreur : Définition de formulaire invalide « clas-casse.json »")
        assert "Traceback" not in err
        assert not list(published.iterdir())

        for path in (ESSAI_V1_PATH, ESSAI_V2_PATH):
            code, out, err = _cli(capsys, server, "campaign", "publish", str(path), "--forms-dir", str(published))
            assert code == 0, err
            assert out.startswith("Publié : clas-essai version")
        refs = {(r.form_id, r.form_version) for r in campaigns.form_refs(running)}  # seen without a restart
        assert {("clas-essai", 1), ("clas-essai", 2)} <= refs
        assert running.registry.get("clas-essai").version == 2  # the campaign's current version

        code, _, err = _cli(capsys, server, "campaign", "publish", str(ESSAI_V1_PATH), "--forms-dir", str(published))
        assert code == 0  # the same file again: nothing to do
        other = tmp_path / "autre.json"
        other.write_text(
            json.dumps(json.loads(ESSAI_V1_PATH.read_text(encoding="utf-8")) | {"title": "Autre"}), encoding="utf-8"
        )
        code, _, err = _cli(capsys, server, "campaign", "publish", str(other), "--forms-dir", str(published))
        assert code == 1
        assert "déjà publiée avec un autre contenu" in err
    finally:
        running.close()
