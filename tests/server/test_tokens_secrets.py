"""Tokens revoked at once (logout, password reset), the server's stable id, its SQLite files 0600."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

from sync import protocol as p
from sync.server import accounts
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.server.conftest import FAST_HASHER, PASSWORD, Server, problem


def test_logout_revokes_the_token_at_once(server: Server) -> None:
    partner = server.partner()
    assert partner.get("/changes").status_code == 200  # seen once: no cache may keep it alive
    assert partner.request("DELETE", "/auth/token").status_code == 204
    refused = problem(partner.get("/changes"), 401, p.UNAUTHORIZED)
    assert "reconnectez-vous" in refused.title
    # Logging out twice is fine; without a token it is a 401.
    assert partner.request("DELETE", "/auth/token").status_code == 204
    problem(server.anonymous().request("DELETE", "/auth/token"), 401, p.UNAUTHORIZED)


def test_a_password_reset_revokes_every_token_at_once(server: Server) -> None:
    partner = server.partner()
    assert partner.get("/changes").status_code == 200
    account = accounts.find_account(server.ctx, partner.email, accounts.PARTNER)
    assert account.id is not None
    accounts.set_password(server.ctx, account.id, "un-nouveau-mot-de-passe")
    problem(partner.get("/changes"), 401, p.UNAUTHORIZED)
    anonymous = server.anonymous()
    problem(anonymous.post("/auth/token", json={"email": partner.email, "password": PASSWORD}), 401, p.UNAUTHORIZED)
    new = {"email": partner.email, "password": "un-nouveau-mot-de-passe"}
    assert anonymous.post("/auth/token", json=new).status_code == 200


def test_meta_gives_a_stable_server_id(server: Server) -> None:
    first = p.Meta.model_validate_json(server.anonymous().get("/meta").content)
    assert first.server_id == server.ctx.server_id
    # A restart on the same database gives the same id.
    again = ServerContext.open(Settings(database_url=server.ctx.settings.database_url), hasher=FAST_HASHER)
    try:
        assert again.server_id == first.server_id
    finally:
        again.close()


def test_the_sqlite_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / f"serveur-{uuid.uuid4().hex[:6]}.sqlite3"
    ctx = ServerContext.open(Settings(database_url=f"sqlite:///{path}"), hasher=FAST_HASHER)
    try:
        accounts.create_account(ctx, role=accounts.PARTNER, email="a@exemple.fr", password=PASSWORD, caf="73")
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(found.exists() for found in files)
        for found in files:
            assert stat.S_IMODE(found.stat().st_mode) == 0o600, found
    finally:
        ctx.close()
