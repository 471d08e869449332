"""Two organisations, one questionnaire id (an exported file used as a template): the first writer keeps
it; the second one's client re-keys its questionnaire (new uuid, everything kept) and sends again."""

from __future__ import annotations

import json
from pathlib import Path

from forms.attachments import import_attachment
from forms.exchange import export_document, import_document, read_document
from forms.lifecycle import Status
from forms.registry import FormRegistry
from forms.store import Store
from forms.store.outbox import Outbox
from sync import account
from sync.engine import Synchroniser
from tests.forms.sample_answers import DOCUMENT, DOCUMENT_BYTES
from tests.server.conftest import PASSWORD, Client
from tests.sync.support import (
    LiveServer,
    assert_exactly_once,
    audit,
    fill_and_transmit,
    server_documents,
)


def test_a_taken_id_is_rekeyed_and_sent_keeping_everything(
    client_store: Store, live_server: LiveServer, partner: Client, tmp_path: Path, registry: FormRegistry
) -> None:
    first = client_store
    other = live_server.api.partner("74", "Centre social des Pins")
    [taken] = fill_and_transmit(first, 1, documents_every=1)  # with a document: the upload binds the id too
    assert Synchroniser(first, account.connected_client(first)).run().sent == 1
    # The second organisation's computer holds a questionnaire under the same id (as an older
    # `import` made from the first one's exported file did), with its own answers and document.
    second = Store.open(tmp_path / "autre-ordinateur", registry)
    try:
        answers = dict(first.answers(taken))
        answers["lieu_action"] = "Salle des Pins"
        source = tmp_path / DOCUMENT["name"]
        source.write_bytes(DOCUMENT_BYTES)
        answers["document_complementaire"] = import_attachment(second, source)
        second.create(
            form_id=first.get(taken).form_id, title="Action des Pins", answers=answers, questionnaire_uuid=taken
        )
        second.transmit(taken)
        account.login(second, live_server.url, other.email, PASSWORD)
        result = Synchroniser(second, account.connected_client(second)).run()
        assert (result.sent, result.refused) == (1, []), result.text()
        [mine] = second.list()
        assert mine.uuid != taken
        assert mine.status == Status.TRANSMIS
        assert second.answers(mine.uuid)["lieu_action"] == "Salle des Pins"
        assert Outbox(second).count("pending") == 0
        other_id = live_server.organisation_id(other.email)
        assert_exactly_once(audit(second, live_server, other_id), 1, "second organisation")
        assert server_documents(live_server, other_id) == 1  # its own copy, under its own id
        # The first organisation still has its questionnaire and nothing else.
        assert_exactly_once(audit(first, live_server, live_server.organisation_id(partner.email)), 1, "first")
    finally:
        second.close()


def test_import_of_a_file_from_another_computer_gets_a_new_uuid(
    client_store: Store, tmp_path: Path, registry: FormRegistry
) -> None:
    [source] = fill_and_transmit(client_store, 1)
    path = tmp_path / "modele.json"
    path.write_text(json.dumps(export_document(client_store, source)), encoding="utf-8")
    elsewhere = Store.open(tmp_path / "autre", registry)
    try:
        copies = {import_document(elsewhere, read_document(path)).uuid for _ in range(2)}
        assert source not in copies
        assert len(copies) == 2  # a template imported twice gives two questionnaires
    finally:
        elsewhere.close()
