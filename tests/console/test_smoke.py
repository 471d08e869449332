from tests.console.conftest import ConsoleServer


def test_pages_render(server: ConsoleServer) -> None:
    reviewer = server.reviewer()
    partner = server.partner()
    qid, _ = partner.transmit()
    agent = server.signed_in(reviewer)
    for path in [
        "/caf/tableau-de-bord",
        "/caf/questionnaires",
        f"/caf/questionnaires/{qid}",
        f"/caf/questionnaires/{qid}/modifier",
        f"/caf/questionnaires/{qid}/valider",
        f"/caf/questionnaires/{qid}/renvoyer",
        "/caf/partenaires",
        "/caf/exports",
    ]:
        r = agent.get(path)
        assert r.status_code == 200, (path, r.text[-3000:])
