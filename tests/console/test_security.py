"""The console's security: cookie flags, CSRF on every POST, session fixation, idle expiry, sign-out,
throttled sign-in, every URL scoped to the agent's Caf (404), and HTML shown as text."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import requests

from sync.server import review
from sync.server.app import create_app
from sync.server.console.sessions import COOKIE, LOGIN_COOKIE
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.console.conftest import CSRF, Agent, ConsoleServer, like_serve
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.server.conftest import FAST_HASHER, PASSWORD
from tests.support.live_server import ThreadedUvicorn


def state_of(server: ConsoleServer, qid: uuid.UUID) -> tuple[str, int, int]:
    detail = review.detail(server.ctx, None, qid)
    return detail.summary.state, len(detail.notices), len(detail.versions)


def set_cookie_header(response: object) -> str:
    return response.headers.get("set-cookie", "")  # type: ignore[attr-defined]


def test_session_cookie_flags_over_plain_http(server: ConsoleServer) -> None:
    reviewer = server.reviewer()
    response = server.agent().sign_in(reviewer.email)
    assert response.status_code == 303
    cookie = set_cookie_header(response)
    assert f"{COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Path=/caf" in cookie
    assert "Secure" not in cookie  # plain HTTP, and X-Forwarded-Proto is not trusted by default


def test_forwarded_proto_only_when_trusted(server: ConsoleServer) -> None:
    reviewer = server.reviewer()
    untrusted = server.agent()
    untrusted.session.headers["X-Forwarded-Proto"] = "https"
    assert "Secure" not in set_cookie_header(untrusted.sign_in(reviewer.email))
    trusting = ServerContext.open(
        Settings(database_url=server.ctx.settings.database_url, trust_forwarded_proto=True), hasher=FAST_HASHER
    )
    live = like_serve(ThreadedUvicorn(create_app(ctx=trusting)), trust_proxy=True).start()
    try:
        behind_proxy = Agent(live.url)
        behind_proxy.session.headers["X-Forwarded-Proto"] = "https"
        form = behind_proxy.get("/caf/connexion")
        assert "Secure" in set_cookie_header(form)
        # requests keeps Secure cookies for https: hand the sign-in cookie back as the proxy would.
        login_cookie = form.cookies[LOGIN_COOKIE]
        token = CSRF.search(form.text)
        assert token is not None
        response = behind_proxy.session.post(
            live.url + "/caf/connexion",
            data={"email": reviewer.email, "password": PASSWORD, "csrf_token": token.group(1)},
            headers={"Cookie": f"{LOGIN_COOKIE}={login_cookie}"},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 303
        assert "Secure" in set_cookie_header(response)
        assert "HttpOnly" in set_cookie_header(response)
    finally:
        live.stop()
        trusting.close()


def test_pages_need_a_session(server: ConsoleServer) -> None:
    anonymous = server.agent()
    for path in ("/caf/tableau-de-bord", "/caf/questionnaires", "/caf/partenaires", "/caf/exports"):
        response = anonymous.get(path)
        assert (response.status_code, response.headers["location"]) == (303, "/caf/connexion"), path


def test_wrong_password_partner_and_throttling(server: ConsoleServer) -> None:
    reviewer = server.reviewer()
    partner = server.partner()
    refused = server.agent().sign_in(partner.email)
    assert refused.status_code == 401
    assert "réservée aux agents de la Caf" in refused.text
    agent = server.agent()
    for _ in range(5):
        wrong = agent.sign_in(reviewer.email, "pas le bon")
        assert wrong.status_code == 401
        assert "E-mail ou mot de passe incorrect" in wrong.text
    throttled = agent.sign_in(reviewer.email)  # the right password, too late: the API's own throttling
    assert throttled.status_code == 401
    assert "Trop de tentatives de connexion" in throttled.text


def test_sign_in_form_needs_its_csrf_token(server: ConsoleServer) -> None:
    reviewer = server.reviewer()
    agent = server.agent()
    agent.get("/caf/connexion")
    response = agent.post("/caf/connexion", {"email": reviewer.email, "password": PASSWORD}, csrf="faux")
    assert response.status_code == 403
    assert COOKIE not in agent.session.cookies


def test_session_fixation_a_new_session_at_every_sign_in(server: ConsoleServer) -> None:
    reviewer = server.reviewer()
    agent = server.agent()
    form = agent.get("/caf/connexion")
    token = CSRF.search(form.text)
    assert token is not None
    signed = requests.post(  # a session cookie planted by an attacker travels with the sign-in
        server.url + "/caf/connexion",
        data={"email": reviewer.email, "password": PASSWORD, "csrf_token": token.group(1)},
        headers={"Cookie": f"{LOGIN_COOKIE}={form.cookies[LOGIN_COOKIE]}; {COOKIE}=planted-by-an-attacker"},
        allow_redirects=False,
        timeout=30,
    )
    assert signed.status_code == 303
    first = signed.cookies[COOKIE]
    assert first != "planted-by-an-attacker"
    agent.session.cookies.set(COOKIE, first, path="/caf")
    again = agent.sign_in(reviewer.email)
    assert again.status_code == 303
    second = again.cookies[COOKIE]
    assert second != first
    replay = server.agent()
    replay.session.cookies.set(COOKIE, first, path="/caf")
    assert replay.get("/caf/tableau-de-bord").status_code == 303  # the earlier session no longer works


def test_idle_expiry_and_sign_out(server: ConsoleServer) -> None:
    reviewer = server.reviewer()
    agent = server.signed_in(reviewer)
    assert agent.get("/caf/tableau-de-bord").status_code == 200
    server.clock.advance(dt.timedelta(minutes=31))
    expired = agent.get("/caf/tableau-de-bord")
    assert (expired.status_code, expired.headers["location"]) == (303, "/caf/connexion?expiree=1")
    agent = server.signed_in(reviewer)
    cookie = agent.session.cookies.get(COOKIE)
    out = agent.post("/caf/deconnexion")
    assert (out.status_code, out.headers["location"]) == (303, "/caf/connexion")
    replay = server.agent()
    replay.session.cookies.set(COOKIE, cookie, path="/caf")
    assert replay.get("/caf/tableau-de-bord").status_code == 303


@pytest.fixture
def transmitted(server: ConsoleServer) -> tuple[uuid.UUID, Agent, Agent]:
    """A questionnaire of Caf 73, a signed-in agent of 73 and another of 73."""
    partner = server.partner(caf="73")
    qid, _ = partner.transmit()
    return qid, server.signed_in(server.reviewer(caf="73")), server.signed_in(server.reviewer(caf="73"))


def posts(qid: uuid.UUID) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"/caf/questionnaires/{qid}/remarques", {"message": "Une remarque"}),
        (f"/caf/questionnaires/{qid}/renvoyer", {}),
        (f"/caf/questionnaires/{qid}/valider", {}),
        (f"/caf/questionnaires/{qid}/valider-structure", {}),
        (f"/caf/questionnaires/{qid}/modifier", {"a.nb_familles": "99"}),
        (f"/caf/questionnaires/{qid}/sias", {"a.numero_sias": "42"}),
    ]


def test_csrf_missing_or_from_another_session_changes_nothing(
    server: ConsoleServer, transmitted: tuple[uuid.UUID, Agent, Agent]
) -> None:
    qid, agent, other = transmitted
    agent.get(f"/caf/questionnaires/{qid}")
    other.get(f"/caf/questionnaires/{qid}")
    assert agent.csrf != other.csrf
    before = state_of(server, qid)
    for path, data in posts(qid):
        for token in ("", other.csrf, "n'importe quoi"):
            refused = agent.post(path, data, csrf=token)
            assert refused.status_code == 403, (path, token)
            assert "Action refusée" in refused.text
    assert state_of(server, qid) == before
    assert agent.post("/caf/deconnexion", csrf="").status_code == 403
    assert agent.get("/caf/tableau-de-bord").status_code == 200  # still signed in
    # Negative control: the session's own token is accepted.
    assert agent.post(f"/caf/questionnaires/{qid}/remarques", {"message": "Une remarque"}).status_code == 303
    assert state_of(server, qid)[1] == before[1] + 1


def test_another_caf_questionnaire_is_404_through_every_url(server: ConsoleServer) -> None:
    elsewhere, _ = server.partner(caf="74").transmit()
    agent = server.signed_in(server.reviewer(caf="73"))
    before = state_of(server, elsewhere)
    unknown = uuid.uuid4()
    for qid in (elsewhere, unknown):
        gets = [
            f"/caf/questionnaires/{qid}",
            f"/caf/questionnaires/{qid}/modifier",
            f"/caf/questionnaires/{qid}/renvoyer",
            f"/caf/questionnaires/{qid}/valider",
            f"/caf/questionnaires/{qid}/valider-structure",
            f"/caf/documents/{qid}/bilan.pdf",
            f"/caf/documents/{qid}/accuse.pdf",
        ]
        bodies = set()
        for path in gets:
            response = agent.get(path)
            assert response.status_code == 404, path
            bodies.add(response.text.replace(str(qid), ""))
        for path, data in posts(qid):
            response = agent.post(path, data)
            assert response.status_code == 404, path
            bodies.add(response.text.replace(str(qid), ""))
        assert len(bodies) == 1  # the same page for another Caf's questionnaire and for none
    assert state_of(server, elsewhere) == before
    listed = agent.get(f"/caf/questionnaires?campagne={FORM_ID}").text
    assert str(elsewhere) not in listed
    exported = agent.get(f"/caf/exports/{FORM_ID}/questionnaires.csv").text
    assert str(elsewhere) not in exported


def test_html_in_a_notice_or_an_answer_is_shown_as_text(server: ConsoleServer) -> None:
    answers = complete_answers()
    answers["lieu_action"] = "Salle <b>Gras</b> & <script>alert('nom')</script>"
    qid, _ = server.partner(caf="75").transmit(answers)
    agent = server.signed_in(server.reviewer(caf="75"))
    agent.get(f"/caf/questionnaires/{qid}")
    posted = agent.post(
        f"/caf/questionnaires/{qid}/remarques", {"message": "<img src=x onerror=alert(1)> voir <i>ici</i>"}
    )
    assert posted.status_code == 303
    for path in (f"/caf/questionnaires/{qid}", "/caf/questionnaires", f"/caf/questionnaires/{qid}/modifier"):
        page = agent.get(path).text
        assert "<script>alert" not in page, path
        assert "<b>Gras</b>" not in page, path
        assert "&lt;b&gt;Gras&lt;/b&gt;" in page, path
    page = agent.get(f"/caf/questionnaires/{qid}").text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; voir &lt;i&gt;ici&lt;/i&gt;" in page
    assert "default-src 'self'" in agent.get(f"/caf/questionnaires/{qid}").headers["content-security-policy"]
