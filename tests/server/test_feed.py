"""GET /changes: complete and ordered under concurrent writers, paged, resumable, scoped cursors."""

from __future__ import annotations

import base64
import threading
import uuid

from sync import protocol as p
from tests.forms.sample_answers import complete_answers
from tests.server.conftest import Client, Server, problem, version_body


def _key(change: p.Change) -> tuple[str, str]:
    """What a change is about, independent of its seq."""
    data = change.data
    if change.type == "questionnaire.version":
        return change.type, data["version_id"]
    if change.type == "questionnaire.state":
        return change.type, f"{change.questionnaire_id}:{data['state']}:{data['version_id']}"
    return change.type, data["notice_id"]


def test_two_concurrent_writers_and_a_reader_in_small_pages(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    # Questionnaires the Caf works on while the partner keeps transmitting new ones.
    reviewed = [partner.transmit() for _ in range(40)]
    expected: set[tuple[str, str]] = set()
    for qid, vid in reviewed:
        expected |= {("questionnaire.version", str(vid)), ("questionnaire.state", f"{qid}:transmis:{vid}")}
    errors: list[str] = []
    writers_done = threading.Event()

    def partner_writes() -> None:
        for _ in range(150):
            qid, vid = uuid.uuid4(), uuid.uuid4()
            response = partner.put_version(qid, vid, version_body())
            if response.status_code != 201:
                errors.append(response.text)
                continue
            expected.update({("questionnaire.version", str(vid)), ("questionnaire.state", f"{qid}:transmis:{vid}")})

    def caf_writes(caf: Client) -> None:
        for n, (qid, vid) in enumerate(reviewed):
            notice_id = uuid.uuid4()
            response = caf.post(
                f"/review/questionnaires/{qid}/notices", json={"notice_id": str(notice_id), "message": f"Remarque {n}"}
            )
            if response.status_code != 201:
                errors.append(response.text)
            expected.add(("notice.created", str(notice_id)))
            if n % 2:
                edit = uuid.uuid4()
                answers = {**complete_answers(), "nb_familles": 5 + n % 20}
                response = caf.put_version(qid, edit, version_body(answers, base=vid))
                if response.status_code != 201:
                    errors.append(response.text)
                expected.add(("questionnaire.version", str(edit)))
            else:
                response = caf.post(f"/review/questionnaires/{qid}/return")
                if response.status_code != 200:
                    errors.append(response.text)
                expected.add(("questionnaire.state", f"{qid}:a_corriger:{vid}"))

    received: list[p.Change] = []
    cursor: list[str | None] = [None]

    def read_pages() -> None:
        # The reader uses its own session, like a second device of the organisation.
        reader = Client(server, partner.email, partner.role, partner.caf, token=partner.token)
        reader.session.headers["Authorization"] = f"Bearer {partner.token}"
        while True:
            done = writers_done.is_set()  # read before the page: a last full pass after the writers end
            page = reader.changes(cursor[0], limit=7)
            assert len(page.changes) <= 7
            received.extend(page.changes)
            cursor[0] = page.next_cursor
            if done and not page.has_more:
                return

    threads = [threading.Thread(target=partner_writes), threading.Thread(target=caf_writes, args=(reviewer,))]
    reader_thread = threading.Thread(target=read_pages)
    reader_thread.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writers_done.set()
    reader_thread.join(timeout=120)
    assert not reader_thread.is_alive()
    assert errors == []

    seqs = [c.seq for c in received]
    assert seqs == list(range(1, len(seqs) + 1))  # strictly increasing, nothing skipped, nothing twice
    assert {_key(c) for c in received} == expected
    assert len(received) == len(expected)
    # Reading everything again from the start gives the same feed.
    again, last_cursor = partner.all_changes(limit=p.MAX_CHANGES_LIMIT)
    assert [(c.seq, _key(c)) for c in again] == [(c.seq, _key(c)) for c in received]
    assert last_cursor == cursor[0]


def test_paging_and_cursor_semantics(server: Server) -> None:
    partner = server.partner()
    empty = partner.changes()
    assert (empty.changes, empty.has_more) == ([], False)
    start = empty.next_cursor
    for _ in range(3):
        partner.transmit()  # 2 changes each
    page = partner.changes(start, limit=4)
    assert ([c.seq for c in page.changes], page.has_more) == ([1, 2, 3, 4], True)
    page = partner.changes(page.next_cursor, limit=4)
    assert ([c.seq for c in page.changes], page.has_more) == ([5, 6], False)
    # Nothing new: the same cursor comes back.
    idle = partner.changes(page.next_cursor, limit=4)
    assert (idle.changes, idle.has_more, idle.next_cursor) == ([], False, page.next_cursor)
    # Default and maximum page sizes.
    assert len(partner.changes().changes) == 6
    problem(partner.get("/changes", params={"limit": 0}), 422, p.VALIDATION)
    problem(partner.get("/changes", params={"limit": p.MAX_CHANGES_LIMIT + 1}), 422, p.VALIDATION)


def test_invalid_cursors(server: Server) -> None:
    partner = server.partner()
    partner.transmit()
    _, cursor = partner.all_changes()
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    prefix, org, seq = raw.split(":")
    future = base64.urlsafe_b64encode(f"{prefix}:{org}:{int(seq) + 10}".encode()).decode().rstrip("=")
    for bad in ["!!!", "bm9uc2Vuc2U", future, base64.urlsafe_b64encode(b"c1:x:1").decode(), "x" * 150]:
        problem(partner.get("/changes", params={"since": bad}), 400, p.CURSOR_INVALID)
