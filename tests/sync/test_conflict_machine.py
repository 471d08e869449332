"""Conflicts as a state machine (issue 10's fault tests): partner edits, transmissions, Caf edits,
Caf notices, returns, pulls and store crashes in any order, against the real reference server.

Invariants, after every step: no version the server acknowledged is missing (locally or on the
server). After each pull on an editable questionnaire with nothing waiting to be sent, the 3-way
outcome is checked against what was seen before it: a field changed on one side only takes that
side's value (disjoint edits merged), a field changed on both sides to different values waits in a
conflict row (the choice dialog's state). At the end (quiescence: conflicts chosen, transmitted,
synced), the client's answers equal the server's current version.

A crash abandons the store's connections without closing it and reopens the file (a WAL left
behind: the reopen runs integrity_check). Hypothesis prints the failing sequence and its seed
(`--hypothesis-seed`). The negative control runs one sequence with the 3-way merge replaced by
"the Caf's version wins" and must be caught.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from forms.lifecycle import Action, allowed
from forms.registry import FormRegistry
from forms.store import ConflictsPending, NotEditable, NotTransmittable, Store
from forms.store.outbox import Outbox
from forms.store.remote import Remote
from sync import account
from sync.engine import Synchroniser
from tests.server.conftest import Client
from tests.sync.support import fast_synchroniser, fill_and_transmit

FIELDS = ["lieu_action", "commune", "bilan_qualitatif"]
VALUES = {
    "lieu_action": ["Salle des fêtes", "Maison de quartier", "École Jean-Moulin"],
    "commune": ["Chambéry", "Aix-les-Bains", "La Motte-Servolex"],
    "bilan_qualitatif": [
        "Bilan : trois collectifs, trente enfants, un café des parents chaque mois.",
        "Bilan corrigé : deux collectifs, vingt-quatre enfants, ateliers avec les familles.",
        "Bilan de la Caf : effectifs vérifiés avec la structure, activités conformes.",
    ],
}
EXAMPLES = int(os.environ.get("BILAN_CLAS_MACHINE_EXAMPLES", "6"))


class ConflictMachine(RuleBasedStateMachine):
    store: Store
    registry: FormRegistry
    reviewer: Client

    @initialize()
    def start(self) -> None:
        (self.qid,) = fill_and_transmit(self.store, 1, tag=f" {uuid.uuid4().hex[:6]}")
        self.crashed: list[Store] = []
        self.sync()

    # --- helpers -----------------------------------------------------------------------------

    def synchroniser(self) -> Synchroniser:
        return fast_synchroniser(self.store, account.connected_client(self.store))

    def server_view(self) -> dict[str, Any]:
        response = self.reviewer.get(f"/review/questionnaires/{self.qid}")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def current(self) -> tuple[str, dict[str, Any]]:
        versions = self.server_view()["versions"]
        return versions[-1]["version_id"], versions[-1]["answers"]

    # --- the partner ------------------------------------------------------------------------

    @rule(field=st.sampled_from(FIELDS), n=st.integers(0, 2))
    def partner_edit(self, field: str, n: int) -> None:
        try:
            self.store.set_answer(self.qid, field, VALUES[field][n])
        except NotEditable:
            pass

    @rule(take=st.sampled_from(["mine", "caf"]))
    def transmit(self, take: str) -> None:
        for conflict in Remote(self.store).conflicts(self.qid):
            Remote(self.store).resolve(self.qid, conflict.question_id, take)
        try:
            self.store.transmit(self.qid)
        except (NotEditable, NotTransmittable, ConflictsPending):
            pass

    @rule()
    def pull(self) -> None:
        info = self.store.get(self.qid)
        checkable = allowed(info.status, Action.EDIT) and not Outbox(self.store).sendable()
        before = None
        if checkable:
            base_id = info.base_version_id
            base = next((v.answers for v in self.store.versions(self.qid) if v.version_id == base_id), None)
            server_id, server_answers = self.current()
            if base is not None and server_id != base_id:
                before = (base, self.store.answers(self.qid), server_answers)
        self.sync()
        if before is None:
            return
        base, mine, theirs = before
        after = self.store.answers(self.qid)
        conflicted = {c.question_id for c in Remote(self.store).conflicts(self.qid)}
        for field in FIELDS:
            b, m, t = base.get(field), mine.get(field), theirs.get(field)
            if m != b and t != b and m != t:
                assert field in conflicted, (field, b, m, t)  # same field, both sides: the choice state
            elif m != b and t == b:
                assert after.get(field) == m, (field, "mine lost", b, m, t)
            elif t != b and m == b:
                assert after.get(field) == t, (field, "the Caf's edit lost", b, m, t)

    def sync(self) -> None:
        self.synchroniser().run()

    @rule()
    def crash(self) -> None:
        """The store is abandoned mid-life (no close, no checkpoint) and the file reopened."""
        self.crashed.append(self.store)
        self.store = Store.open(self.store.path.parent, self.registry)

    # --- the Caf ----------------------------------------------------------------------------

    @rule(field=st.sampled_from(FIELDS), n=st.integers(0, 2))
    def caf_edit(self, field: str, n: int) -> None:
        from tests.server.conftest import version_body

        base, answers = self.current()
        answers = {**answers, field: VALUES[field][n]}
        response = self.reviewer.put_version(
            uuid.UUID(self.qid), uuid.uuid4(), version_body(answers, base=uuid.UUID(base))
        )
        assert response.status_code < 500, response.text

    @rule(field=st.sampled_from([None, *FIELDS]))
    def caf_notice(self, field: str | None) -> None:
        response = self.reviewer.post(
            f"/review/questionnaires/{self.qid}/notices",
            json={"question_id": field, "message": "Merci de vérifier cette réponse."},
        )
        assert response.status_code < 500, response.text

    @rule()
    def caf_return(self) -> None:
        response = self.reviewer.post(f"/review/questionnaires/{self.qid}/return")
        assert response.status_code < 500, response.text

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def no_acknowledged_version_missing(self) -> None:
        on_server = {v["version_id"] for v in self.server_view()["versions"]}
        acknowledged = {v.version_id for v in self.store.versions(self.qid) if v.server_rev is not None}
        assert acknowledged <= on_server, acknowledged - on_server

    def teardown(self) -> None:
        try:
            for _ in range(4):  # quiescence: choose, transmit what can be, sync until nothing moves
                self.transmit("mine")
                self.sync()
                if not Outbox(self.store).count() and not Remote(self.store).conflicts(self.qid):
                    break
            assert Outbox(self.store).count() == 0
            _server_id, server_answers = self.current()
            mine = self.store.answers(self.qid)
            assert {f: mine.get(f) for f in FIELDS} == {f: server_answers.get(f) for f in FIELDS}
            assert self.store.integrity_ok()
        finally:
            for store in self.crashed:
                store.close()
            if self.crashed:
                self.store.close()


def machine_for(store: Store, registry: FormRegistry, reviewer: Client) -> type[ConflictMachine]:
    class Bound(ConflictMachine):
        pass

    Bound.store, Bound.registry, Bound.reviewer = store, registry, reviewer
    return Bound


MACHINE_SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)


def test_conflicts_state_machine(client_store: Store, registry: FormRegistry, reviewer: Client) -> None:
    run_state_machine_as_test(machine_for(client_store, registry, reviewer), settings=MACHINE_SETTINGS)


def test_negative_control_a_merge_that_lets_the_caf_win_is_caught(
    client_store: Store, registry: FormRegistry, reviewer: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forms.store import remote

    real = remote.three_way

    def caf_wins(base: dict[str, Any], theirs: dict[str, Any], _mine: dict[str, Any]) -> Any:
        return real(base, theirs, theirs)

    monkeypatch.setattr(remote, "three_way", caf_wins)
    machine = machine_for(client_store, registry, reviewer)
    state = machine()
    state.start()
    state.caf_return()
    state.pull()
    state.partner_edit("commune", 1)  # mine
    state.caf_edit("lieu_action", 2)  # the Caf's, another field
    with pytest.raises(AssertionError, match="mine lost"):
        state.pull()  # a merge that takes the Caf's whole version loses my commune
