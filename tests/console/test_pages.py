"""The console's pages through HTTP, as a browser without JavaScript: list (filter, search, sort,
pagination), dashboard (counts, collection rate, partners to remind), Caf edit with the app's
validation, partner accounts, exports read back."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
import zipfile

import requests
from openpyxl import load_workbook
from pypdf import PdfReader

from sync import protocol as p
from sync.server import accounts, review
from sync.server.console import listing
from tests.console.conftest import ConsoleServer, form_fields
from tests.forms.sample_answers import DOCUMENT, DOCUMENT_BYTES, FORM_ID, complete_answers
from tests.server.conftest import PASSWORD, version_body

ROW = re.compile(r'<a href="/caf/questionnaires/([0-9a-f-]{36})">')


def listed(html: str) -> list[str]:
    return ROW.findall(html)


def test_list_filters_searches_sorts_and_pages(server: ConsoleServer) -> None:
    caf = "01"
    reviewer = server.reviewer(caf=caf)
    ids = []
    for i in range(listing.PAGE_SIZE + 5):
        answers = complete_answers()
        answers["commune"] = "Bourg-en-Bresse" if i % 2 else "Oyonnax"
        ids.append(str(server.partner(caf=caf, name=f"Association {i:03d}").transmit(answers)[0]))
    returned = ids[3]
    agent = server.signed_in(reviewer)
    agent.get(f"/caf/questionnaires/{returned}")
    assert agent.post(f"/caf/questionnaires/{returned}/renvoyer").status_code == 303

    first = agent.get("/caf/questionnaires?tri=organisation&ordre=asc")
    assert f"{listing.PAGE_SIZE + 5} questionnaires · page 1 sur 2" in first.text
    assert listed(first.text) == ids[: listing.PAGE_SIZE]
    second = agent.get("/caf/questionnaires?tri=organisation&ordre=asc&page=2")
    assert listed(second.text) == ids[listing.PAGE_SIZE :]
    backwards = agent.get("/caf/questionnaires?tri=organisation&ordre=desc")
    assert listed(backwards.text)[:3] == ids[::-1][:3]
    assert 'aria-sort="descending"' in backwards.text

    only_returned = agent.get("/caf/questionnaires?etat=a_corriger")
    assert listed(only_returned.text) == [returned]
    assert "À corriger" in only_returned.text
    by_commune = agent.get("/caf/questionnaires?q=oyonnax&tri=organisation&ordre=asc&page=1")
    assert listed(by_commune.text)[:3] == [ids[0], ids[2], ids[4]]
    by_name = agent.get("/caf/questionnaires?q=association+012")
    assert listed(by_name.text) == [ids[12]]
    by_siret = agent.get(f"/caf/questionnaires?q={complete_answers()['siret']}")
    assert len(listed(by_siret.text)) == listing.PAGE_SIZE
    nothing = agent.get("/caf/questionnaires?q=introuvable")
    assert "Aucun questionnaire ne correspond." in nothing.text


def test_dashboard_counts_rate_and_partners_to_remind(server: ConsoleServer) -> None:
    caf = "02"
    reviewer = server.reviewer(caf=caf)
    for i in range(3):
        server.partner(caf=caf, name=f"Transmis {i}").transmit()
    silent = server.partner(caf=caf, name="Association silencieuse")
    agent = server.signed_in(reviewer)
    board = agent.get("/caf/tableau-de-bord").text
    assert '<span class="big">3</span> questionnaires reçus' in board
    assert "À relancer : 1 partenaire sans transmission" in board
    assert silent.email in board
    assert agent.post("/caf/tableau-de-bord/actions-financees", {"campagne": FORM_ID, "nombre": "4"}).status_code == 303
    board = agent.get(f"/caf/tableau-de-bord?campagne={FORM_ID}&fait=financees").text
    assert "75 %" in board
    assert "3 sur 4 actions financées" in board
    assert "Nombre d&#39;actions financées enregistré." in board


def test_caf_edit_uses_the_apps_validation_and_saves_a_caf_version(server: ConsoleServer) -> None:
    qid, _ = server.partner(caf="03").transmit()
    agent = server.signed_in(server.reviewer(caf="03"))
    form = agent.get(f"/caf/questionnaires/{qid}/modifier")
    assert form.status_code == 200
    fields = [(k, v) for k, v in form_fields(form.text, f"/caf/questionnaires/{qid}/modifier") if k != "csrf_token"]

    def with_families(value: str) -> list[tuple[str, str]]:
        return [(k, value if k == "a.nb_familles" else v) for k, v in fields]

    before = len(review.detail(server.ctx, None, qid).versions)

    wrong = agent.post(f"/caf/questionnaires/{qid}/modifier", with_families("vingt"))
    assert wrong.status_code == 422
    assert "Saisissez un nombre entier." in wrong.text
    emptied = agent.post(f"/caf/questionnaires/{qid}/modifier", with_families(""))
    assert emptied.status_code == 422
    assert 'class="field-error" id="e-nb_familles"' in emptied.text
    assert len(review.detail(server.ctx, None, qid).versions) == before  # nothing saved

    saved = agent.post(f"/caf/questionnaires/{qid}/modifier", with_families("25"))
    assert saved.status_code == 303
    detail = review.detail(server.ctx, None, qid)
    assert len(detail.versions) == before + 1
    assert detail.versions[-1].author_role == "caf"
    assert detail.versions[-1].answers["nb_familles"] == 25
    assert detail.versions[-1].answers == {**detail.versions[-2].answers, "nb_familles": 25}
    assert [e.action for e in detail.audit] == ["transmit", "edit"]


def test_partner_accounts_create_reset_deactivate(server: ConsoleServer) -> None:
    agent = server.signed_in(server.reviewer(caf="04"))
    agent.get("/caf/partenaires")
    created = agent.post("/caf/partenaires", {"nom": "Mairie de Belley", "email": "clas@belley.exemple.fr"})
    assert created.status_code == 200
    password = re.search(r"<code>([^<]+)</code>", created.text)
    assert password is not None
    api = server.url + "/api/v1"

    def login(secret: str) -> requests.Response:
        return requests.post(
            f"{api}/auth/token", json={"email": "clas@belley.exemple.fr", "password": secret}, timeout=30
        )

    first = login(password.group(1))
    assert first.status_code == 200
    token = first.json()["access_token"]
    assert requests.get(f"{api}/changes", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 200
    assert password.group(1) not in agent.get("/caf/partenaires").text  # shown once

    account_id = re.search(r"/caf/partenaires/(\d+)/mot-de-passe", created.text)
    assert account_id is not None
    reset = agent.post(f"/caf/partenaires/{account_id.group(1)}/mot-de-passe")
    new_password = re.search(r"<code>([^<]+)</code>", reset.text)
    assert new_password is not None
    assert new_password.group(1) != password.group(1)
    assert requests.get(f"{api}/changes", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 401
    assert login(password.group(1)).status_code == 401
    assert login(new_password.group(1)).status_code == 200

    assert agent.post(f"/caf/partenaires/{account_id.group(1)}/desactiver").status_code == 303
    assert login(new_password.group(1)).status_code == 401
    assert "Désactivé" in agent.get("/caf/partenaires").text

    other_caf = server.partner(caf="05")
    other_id = accounts.find_account(server.ctx, other_caf.email, accounts.PARTNER).id
    for step in ("desactiver", "mot-de-passe"):  # another Caf's partner: 404, untouched
        assert agent.post(f"/caf/partenaires/{other_id}/{step}").status_code == 404
    assert login_as(api, other_caf.email, PASSWORD).status_code == 200


def login_as(api: str, email: str, password: str) -> requests.Response:
    return requests.post(f"{api}/auth/token", json={"email": email, "password": password}, timeout=30)


def test_exports_csv_xlsx_and_zip_read_back(server: ConsoleServer) -> None:
    caf = "06"
    qids = [str(server.partner(caf=caf, name=f"Export {i}").transmit()[0]) for i in range(2)]
    agent = server.signed_in(server.reviewer(caf=caf))
    exported = agent.get(f"/caf/exports/{FORM_ID}/questionnaires.csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:4] == ["questionnaire_id", "organisation", "email_organisation", "etat"]
    matrix_columns = [h for h in header if "." in h]
    assert matrix_columns  # matrix rows flattened as question.row
    assert sorted(r[0] for r in rows[1:]) == sorted(qids)
    assert {r[3] for r in rows[1:]} == {"Transmis"}
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_id[qids[0]]["commune"] == "Chambéry"
    book = load_workbook(io.BytesIO(agent.get(f"/caf/exports/{FORM_ID}/questionnaires.xlsx").content), read_only=True)
    sheet = book.active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == header
    assert sorted(str(r[0]) for r in values[1:]) == sorted(qids)
    archive = zipfile.ZipFile(io.BytesIO(agent.get(f"/caf/exports/{FORM_ID}/bilans.zip").content))
    names = archive.namelist()
    assert len(names) == 2
    for name in names:
        text = PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        assert "Réussir Ensemble" in text
    assert uuid.UUID(qids[0])


def test_the_agent_downloads_the_partners_document(server: ConsoleServer) -> None:
    partner = server.partner(caf="07")
    qid = uuid.uuid4()
    uploaded = partner.put(
        f"/questionnaires/{qid}/attachments/{DOCUMENT['sha256']}",
        data=DOCUMENT_BYTES,
        headers={"Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    body = version_body(complete_answers(with_document=True), attachments=[p.AttachmentRef.model_validate(DOCUMENT)])
    assert partner.put_version(qid, uuid.uuid4(), body).status_code == 201
    agent = server.signed_in(server.reviewer(caf="07"))
    page = agent.get(f"/caf/questionnaires/{qid}").text
    link = f"/caf/documents/{qid}/pieces/{DOCUMENT['sha256']}"
    assert link in page
    got = agent.get(link)
    assert got.status_code == 200
    assert got.content == DOCUMENT_BYTES
    assert "filename*=UTF-8''Photos%20de%20la%20f%C3%AAte" in got.headers["content-disposition"]
    other = server.signed_in(server.reviewer(caf="08"))
    assert other.get(link).status_code == 404


def test_the_partners_reply_shows_under_its_notice_as_text(server: ConsoleServer) -> None:
    partner, reviewer = server.partner(caf="05"), server.reviewer(caf="05")
    qid, _ = partner.transmit()
    noticed = reviewer.post(
        f"/review/questionnaires/{qid}/notices", json={"question_id": "nb_familles", "message": "Familles ?"}
    )
    assert noticed.status_code == 201, noticed.text
    nid = p.NoticeView.model_validate_json(noticed.content).notice_id
    text = "Nous avons accueilli 26 familles <b>corrigé</b>."
    replied = partner.post(f"/questionnaires/{qid}/notices/{nid}/replies/{uuid.uuid4()}", json={"message": text})
    assert replied.status_code == 201, replied.text

    page = server.signed_in(reviewer).get(f"/caf/questionnaires/{qid}").text
    notice_at = page.index("Familles ?")
    reply_at = page.index("Nous avons accueilli 26 familles &lt;b&gt;corrigé&lt;/b&gt;.")  # as text, never HTML
    assert notice_at < reply_at
    assert "Réponse du partenaire" in page[notice_at:reply_at]
    assert "<b>corrigé</b>" not in page
    # The journal holds the partner's actions too, newest first, not only the Caf's.
    journal = page[page.index('id="journal"') :]
    reply_row, notice_row = journal.index("Réponse du partenaire à une remarque"), journal.index("Remarque ajoutée")
    assert reply_row < notice_row < journal.index("Transmis par le partenaire")
    assert partner.email in journal


def test_the_fiche_structure_is_validated_first_then_read_only(server: ConsoleServer) -> None:
    partner = server.partner(caf="05", name="Association de la Durance")
    q1, _ = partner.transmit()
    q2, _ = partner.transmit()
    agent = server.signed_in(server.reviewer(caf="05"))
    page = agent.get(f"/caf/questionnaires/{q1}").text
    assert f'href="/caf/questionnaires/{q1}/valider-structure">Valider la fiche Structure</a>' in page

    # Valider is refused, with the reason, until the fiche Structure is validated.
    confirm = html.unescape(agent.get(f"/caf/questionnaires/{q1}/valider").text)
    assert "Validez d'abord la fiche Structure de cette structure." in confirm
    assert "Confirmer la validation" not in confirm
    refused = agent.post(f"/caf/questionnaires/{q1}/valider")
    assert refused.status_code == 409
    assert "Validez d'abord la fiche Structure de cette structure" in html.unescape(refused.text)
    assert review.detail(server.ctx, None, q1).summary.state == "transmis"

    # Negative control: before, the edit form has the fiche Structure's fields.
    edit = f"/caf/questionnaires/{q2}/modifier"
    before = dict(form_fields(agent.get(edit).text, edit))
    assert "a.nom_structure" in before

    assert "Confirmer la validation" in agent.get(f"/caf/questionnaires/{q1}/valider-structure").text
    done = agent.post(f"/caf/questionnaires/{q1}/valider-structure")
    assert done.status_code == 303, done.text
    page = agent.get(done.headers["location"]).text
    assert "Fiche Structure validée" in page
    assert "/valider-structure" not in page
    assert review.structure_validated(server.ctx, "05", q2)  # the organisation's, for every action
    again = html.unescape(agent.get(f"/caf/questionnaires/{q2}/valider-structure").text)
    assert "La fiche Structure de cette structure est déjà validée." in again

    # The edit form of another action shows them read-only; a posted value for them changes nothing.
    form = html.unescape(agent.get(f"/caf/questionnaires/{q2}/modifier").text)
    fields = form_fields(form, f"/caf/questionnaires/{q2}/modifier")
    assert "a.nom_structure" not in dict(fields)
    assert '<dl class="locked"><dt>' in form
    assert f"<dd>{complete_answers()['nom_structure']}</dd>" in form
    edited = [(k, "26" if k == "a.nb_familles" else v) for k, v in fields if k != "csrf_token"]
    saved = agent.post(f"/caf/questionnaires/{q2}/modifier", [*edited, ("a.nom_structure", "Autre nom")])
    assert saved.status_code == 303, saved.text
    answers = review.detail(server.ctx, None, q2).versions[-1].answers
    assert (answers["nom_structure"], answers["nb_familles"]) == (complete_answers()["nom_structure"], 26)

    assert agent.post(f"/caf/questionnaires/{q1}/valider").status_code == 303
    assert review.detail(server.ctx, None, q1).summary.state == "valide"
