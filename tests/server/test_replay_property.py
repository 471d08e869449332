"""Replay property (hypothesis): a partner's session with every request delivered 1 to 3 times, the
copies arriving late and the questionnaires' requests interleaved in any order the protocol allows
(each questionnaire's own chain kept in order), ends in the same server state as single delivery."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import protocol as p
from tests.forms.sample_answers import DOCUMENT, DOCUMENT_BYTES, complete_answers
from tests.server.conftest import Client, Server, version_body


@dataclass(frozen=True)
class Step:
    chain: str  # "A" or "B": the questionnaire it belongs to
    kind: str  # "attachment" | "version"
    label: str  # a stable name for comparing runs made with different ids


def _session() -> list[Step]:
    return [
        Step("A", "attachment", "docA"),
        Step("A", "version", "A1"),
        Step("B", "attachment", "docB"),
        Step("B", "version", "B1"),
    ]


def _deliver(client: Client, step: Step, ids: dict[str, uuid.UUID]) -> requests.Response:
    qid = ids[step.chain]
    if step.kind == "attachment":
        return client.put(
            f"/questionnaires/{qid}/attachments/{DOCUMENT['sha256']}",
            data=DOCUMENT_BYTES, headers={"Content-Type": "application/pdf"},
        )  # fmt: skip
    answers = complete_answers(with_document=step.chain == "A")
    answers["lieu_action"] = f"Lieu {step.label}"
    attachments = [p.AttachmentRef.model_validate(DOCUMENT)] if step.chain == "A" else None
    body = version_body(answers, attachments=attachments)
    return client.put_version(qid, ids[step.label], body)


def _state(client: Client, ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    names = {v: k for k, v in ids.items()}
    by_text = {str(v): k for k, v in ids.items()}
    found: dict[str, Any] = {}
    for chain in ("A", "B"):
        view = client.get(f"/questionnaires/{ids[chain]}").json()
        found[chain] = (names[uuid.UUID(view["current_version_id"])], view["state"], view["server_rev"])
        found[f"document {chain}"] = client.get(
            f"/questionnaires/{ids[chain]}/attachments/{DOCUMENT['sha256']}"
        ).content
    changes, _ = client.all_changes()
    for chain in ("A", "B"):
        found[f"feed {chain}"] = [
            (c.type, by_text.get(str(c.data.get("version_id")), "-"))
            for c in changes
            if c.questionnaire_id == ids[chain]
        ]
    return found


def _fresh_ids() -> dict[str, uuid.UUID]:
    return {name: uuid.uuid4() for name in ("A", "B", "A1", "B1")}


def _run(server: Server, order: list[Step]) -> dict[str, Any]:
    client = server.partner()
    ids = _fresh_ids()
    for step in order:
        response = _deliver(client, step, ids)
        assert response.status_code in (200, 201), (step, response.text)
    return _state(client, ids)


@st.composite
def deliveries(draw: st.DrawFn) -> list[Step]:
    """Each step 1-3 times: first copies interleaved keeping each chain's order, extra copies anywhere later."""
    chains = {c: [s for s in _session() if s.chain == c] for c in ("A", "B")}
    order: list[Step] = []
    while chains["A"] or chains["B"]:
        pick = draw(st.sampled_from([c for c in ("A", "B") if chains[c]]))
        order.append(chains[pick].pop(0))
    for step in list(order):
        for _ in range(draw(st.integers(0, 2))):
            after = order.index(step) + 1
            order.insert(draw(st.integers(after, len(order))), step)
    return order


def test_repeated_and_shuffled_deliveries_end_in_the_same_state(server: Server) -> None:
    baseline = _run(server, _session())

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(deliveries())
    def check(order: list[Step]) -> None:
        assert _run(server, order) == baseline, [s.label for s in order]

    check()


def test_negative_control_a_retry_under_a_new_version_id_is_not_a_replay(server: Server) -> None:
    """Without the idempotency key (a retry that makes a new version id), the repeat is not harmless."""
    client = server.partner()
    ids = _fresh_ids()
    for step in _session():
        assert _deliver(client, step, ids).status_code == 201
    ids["A1"] = uuid.uuid4()  # the safety net removed: the retry is a new transmission
    retry = _deliver(client, Step("A", "version", "A1"), ids)
    assert retry.status_code not in (200, 201)
