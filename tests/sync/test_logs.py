"""The journal a support person reads: every sync's requests, codes and durations; never a secret or an answer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from forms.logs import configure, log_path, support_report
from forms.store import Store
from sync import account
from sync.engine import Synchroniser
from tests.server.conftest import PASSWORD, Client
from tests.support.memkeyring import MemoryKeyring
from tests.sync.test_loop import NOTICE, fill, notice_and_return


@pytest.fixture
def journal(data_dir: Path) -> Iterator[Path]:
    root = configure(data_dir, "tests")
    yield log_path(data_dir)
    for handler in list(root.handlers):  # the next test gets its own file
        root.removeHandler(handler)
        handler.close()


def test_a_whole_sync_is_logged_without_a_secret(
    client_store: Store, reviewer: Client, journal: Path, memory_keyring: MemoryKeyring, data_dir: Path
) -> None:
    qid = fill(client_store)
    client_store.transmit(qid)
    Synchroniser(client_store, account.connected_client(client_store)).run()
    notice_and_return(reviewer, qid)
    Synchroniser(client_store, account.connected_client(client_store)).run()
    logging.getLogger("bilan_clas").handlers[0].flush()

    text = journal.read_text(encoding="utf-8")
    assert "sync started" in text
    assert "sync done" in text
    assert f"PUT /api/v1/questionnaires/{qid}/versions/" in text
    assert "-> 201 in" in text
    assert "(request -)" not in text  # the server tags every reply with its request id
    assert "GET /api/v1/changes" in text
    (token,) = memory_keyring.secrets.values()
    answers = client_store.answers(qid)
    secrets = [token, PASSWORD, NOTICE, answers["nom_structure"], answers["lieu_action"], "Bearer"]
    assert [s for s in secrets if str(s) in text] == []

    report = support_report(data_dir, None)
    assert str(data_dir) in report
    assert "sync done" in report
    assert token not in report
