"""GET /meta, /forms, /forms/{id}; POST /auth/token; token expiry and login throttling; error shapes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from forms.definition import parse_definition
from sync import protocol as p
from sync.server import accounts
from tests.forms.sample_answers import FORM_ID
from tests.server.conftest import PASSWORD, Clock, Server, problem


def test_meta(server: Server) -> None:
    response = server.anonymous().get("/meta")
    assert response.status_code == 200
    meta = p.Meta.model_validate_json(response.content)
    assert (meta.api_version, meta.min_client_version) == (p.API_VERSION, p.MIN_CLIENT_VERSION)
    assert meta.max_attachment_bytes == server.ctx.settings.max_attachment_bytes
    assert meta.max_body_bytes == server.ctx.settings.max_body_bytes
    assert abs(meta.server_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert (FORM_ID, 1) in {(f.form_id, f.form_version) for f in meta.forms}


def test_forms_are_served_from_the_registry(server: Server) -> None:
    anonymous = server.anonymous()
    listed = p.FormList.model_validate_json(anonymous.get("/forms").content)
    official = next(f for f in listed.forms if f.form_id == FORM_ID)
    assert official.school_year == "2024-2025"
    assert official.closes == dt.date(2030, 12, 31)  # the extension set by the fixture
    for params in ({}, {"version": 1}):
        response = anonymous.get(f"/forms/{FORM_ID}", params=params)
        assert response.status_code == 200
        assert parse_definition(response.json()) == server.ctx.registry.get(FORM_ID, 1)
    problem(anonymous.get(f"/forms/{FORM_ID}", params={"version": 7}), 404, p.NOT_FOUND)
    problem(anonymous.get("/forms/inconnu"), 404, p.NOT_FOUND)
    problem(anonymous.get(f"/forms/{FORM_ID}", params={"version": "un"}), 422, p.VALIDATION)


def test_login_returns_a_token_for_the_role(server: Server) -> None:
    partner, reviewer = server.partner(caf="38", name="Centre social Les Buttes"), server.reviewer(caf="38")
    for client, role, organisation in (
        (partner, "partner", "Centre social Les Buttes"),
        (reviewer, "reviewer", "Caf 38"),
    ):
        response = server.anonymous().post("/auth/token", json={"email": client.email.upper(), "password": PASSWORD})
        token = p.TokenResponse.model_validate_json(response.content)
        assert (token.role, token.organisation, token.caf, token.token_type) == (role, organisation, "38", "bearer")
        assert token.expires_in == 30 * 24 * 3600
    # Tokens are stored hashed: the database never holds the token itself.
    from sqlmodel import select

    from sync.server.models import ApiToken

    with server.ctx.db.read() as session:
        hashes = set(session.exec(select(ApiToken.token_hash)).all())
    assert partner.token not in hashes
    assert accounts._token_hash(partner.token) in hashes


def test_wrong_credentials(server: Server) -> None:
    partner = server.partner()
    anonymous = server.anonymous()
    wrong = problem(
        anonymous.post("/auth/token", json={"email": partner.email, "password": "faux"}), 401, p.UNAUTHORIZED
    )
    assert "incorrect" in wrong.title
    unknown = anonymous.post("/auth/token", json={"email": f"{uuid.uuid4().hex}@exemple.fr", "password": PASSWORD})
    assert problem(unknown, 401, p.UNAUTHORIZED).title == wrong.title  # no hint whether the account exists
    problem(anonymous.post("/auth/token", json={"email": partner.email}), 422, p.VALIDATION)


@pytest.mark.usefixtures("clock")
def test_login_is_rate_limited_per_email(server: Server, clock: Clock) -> None:
    partner = server.partner()
    anonymous = server.anonymous()
    for _ in range(server.ctx.settings.login_max_failures):
        problem(anonymous.post("/auth/token", json={"email": partner.email, "password": "faux"}), 401, p.UNAUTHORIZED)
    limited = anonymous.post("/auth/token", json={"email": partner.email, "password": PASSWORD})
    refused = problem(limited, 429, p.RATE_LIMITED)
    retry_after = int(limited.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    assert refused.retry_after == retry_after
    # Another e-mail is not affected.
    other = server.partner()
    assert anonymous.post("/auth/token", json={"email": other.email, "password": PASSWORD}).status_code == 200
    clock.advance(dt.timedelta(seconds=retry_after + 1))
    assert anonymous.post("/auth/token", json={"email": partner.email, "password": PASSWORD}).status_code == 200
    # The failures aged out of the window: a mistake is allowed again.
    problem(anonymous.post("/auth/token", json={"email": partner.email, "password": "faux"}), 401, p.UNAUTHORIZED)
    assert anonymous.post("/auth/token", json={"email": partner.email, "password": PASSWORD}).status_code == 200


@pytest.mark.usefixtures("clock")
def test_token_expiry(server: Server, clock: Clock) -> None:
    partner = server.partner()
    assert partner.get("/changes").status_code == 200
    clock.advance(dt.timedelta(days=30) - dt.timedelta(minutes=1))
    assert partner.get("/changes").status_code == 200
    # Sliding expiry: that use gave the token a new full lifetime.
    clock.advance(dt.timedelta(days=30) - dt.timedelta(minutes=1))
    assert partner.get("/changes").status_code == 200
    # Unused for longer than its lifetime, it expires.
    clock.advance(dt.timedelta(days=30) + dt.timedelta(minutes=1))
    expired = problem(partner.get("/changes"), 401, p.UNAUTHORIZED)
    assert "expirée" in expired.title
    # Logging in again gives a working token.
    response = server.anonymous().post("/auth/token", json={"email": partner.email, "password": PASSWORD})
    token = p.TokenResponse.model_validate_json(response.content).access_token
    assert partner.get("/changes", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_framework_errors_are_problems_too(server: Server) -> None:
    anonymous = server.anonymous()
    problem(anonymous.get("/nulle-part"), 404, p.NOT_FOUND)
    problem(anonymous.request("DELETE", "/meta"), 405, p.METHOD_NOT_ALLOWED)
    problem(anonymous.post("/auth/token", data=b"{", headers={"Content-Type": "application/json"}), 422, p.VALIDATION)


def test_openapi_description(server: Server) -> None:
    schema = server.anonymous().session.get(f"{server.url}/openapi.json", timeout=10).json()
    assert schema["info"]["version"] == str(p.API_VERSION)
    paths = schema["paths"]
    assert f"{p.API_PREFIX}/questionnaires/{{questionnaire_id}}/versions/{{version_id}}" in paths
    put = paths[f"{p.API_PREFIX}/questionnaires/{{questionnaire_id}}/versions/{{version_id}}"]["put"]
    assert set(put["responses"]) >= {"200", "201", "409", "422"}
    assert p.PROBLEM_MEDIA_TYPE in put["responses"]["409"]["content"]
