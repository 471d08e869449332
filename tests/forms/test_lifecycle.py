"""The lifecycle table (forms/lifecycle.py): every (state, action) pair, and the real store driven at random.

The matrix below is the specification written out by hand, so that a change to the table is a
deliberate change to this test too.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from forms.lifecycle import (
    EDITABLE,
    SEND_FAILED,
    TRANSITIONS,
    Action,
    NotAllowed,
    OutboxState,
    Status,
    allowed,
    display,
    next_state,
    receipt,
    server_next_state,
    taken_back_to,
)
from forms.registry import FormRegistry
from forms.store import Store, StoreError
from forms.store.outbox import Outbox
from forms.store.remote import Remote, RemoteState
from tests.conftest import OFFICIAL_FORM, TEST_FORMS
from tests.forms.sample_answers import complete_answers

# Columns: edit transmit take_back retry delete reply_notice accept notice caf_edit return validate migrate requeue.
COLUMNS = [
    Action.EDIT, Action.TRANSMIT, Action.TAKE_BACK, Action.RETRY, Action.DELETE, Action.REPLY_NOTICE,
    Action.ACCEPT, Action.NOTICE, Action.CAF_EDIT, Action.RETURN, Action.VALIDATE, Action.MIGRATE, Action.REQUEUE,
]  # fmt: skip
# One letter per column: the state it leads to (e: en cours, a: à envoyer, t: transmis, c: à corriger,
# v: validé, x: gone), "." refused.
SPEC = {
    Status.EN_COURS: "ea..x......e.",
    Status.A_ENVOYER: "..ea.at......",
    Status.TRANSMIS: ".....t.ttcv.a",
    Status.A_CORRIGER: "ca...c.cc..c.",
    Status.VALIDE: ".............",
}
LETTERS = {"e": Status.EN_COURS, "a": Status.A_ENVOYER, "t": Status.TRANSMIS, "c": Status.A_CORRIGER}
LETTERS |= {"v": Status.VALIDE, "x": None}


@pytest.mark.parametrize("state", list(Status))
@pytest.mark.parametrize("action", COLUMNS)
def test_every_state_and_action(state: Status, action: Action) -> None:
    letter = SPEC[state][COLUMNS.index(action)]
    assert allowed(state, action) == (letter != ".")
    if letter == ".":
        with pytest.raises(NotAllowed, match=state.label):
            next_state(state, action)
    else:
        assert next_state(state, action) == LETTERS[letter]


def test_the_spec_covers_the_whole_table() -> None:
    assert set(Action) == set(COLUMNS)
    assert {(s, a) for s in Status for a in COLUMNS if SPEC[s][COLUMNS.index(a)] != "."} == set(TRANSITIONS)


def test_derived_rules() -> None:
    assert {Status.EN_COURS, Status.A_CORRIGER} == EDITABLE
    assert [s for s in Status if s.final] == [Status.VALIDE]
    assert taken_back_to(known_to_server=False) is Status.EN_COURS
    assert taken_back_to(known_to_server=True) is Status.A_CORRIGER
    assert display(Status.A_ENVOYER, ["pending", "failed"]) is SEND_FAILED
    assert display(Status.A_ENVOYER, ["pending"]).label == "À envoyer"
    assert display(Status.TRANSMIS, ["failed"]).label == "Transmis"  # only a waiting questionnaire can fail


@dataclass(frozen=True)
class _V:
    version_id: str
    author: str = "partner"
    server_rev: int | None = None


def test_one_rule_for_a_receipt() -> None:
    first, second, caf = _V("v1", server_rev=1), _V("v2"), _V("c1", author="caf", server_rev=2)
    assert receipt(Status.A_ENVOYER, [first, caf, second], {"v2": "pending"}) == ("sent", first)
    assert receipt(Status.A_ENVOYER, [second], {"v2": "pending"}) == ("ready", second)
    assert receipt(Status.A_ENVOYER, [second], {"v2": "failed"}) is None  # refused: never an accusé
    assert receipt(Status.EN_COURS, [second], {"v2": "cancelled"}) is None  # taken back
    assert receipt(Status.TRANSMIS, [caf], {}) is None  # a Caf edit is not a transmission


def test_server_side() -> None:
    assert server_next_state(None, Action.TRANSMIT) is Status.TRANSMIS
    assert server_next_state(Status.A_CORRIGER, Action.TRANSMIT) is Status.TRANSMIS
    assert server_next_state(Status.A_CORRIGER, Action.CAF_EDIT) is Status.A_CORRIGER
    for action in (Action.TRANSMIT, Action.CAF_EDIT, Action.RETURN, Action.VALIDATE, Action.NOTICE):
        with pytest.raises(NotAllowed):
            server_next_state(Status.VALIDE, action)
    with pytest.raises(NotAllowed):
        server_next_state(Status.TRANSMIS, Action.TRANSMIT)  # the Caf has it: wait for its answer


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class StoreLifecycle(RuleBasedStateMachine):
    """Drive a real store with the partner's, the server's and the Caf's actions in any order.

    After every step the status moved only along the table: either the store refused the action
    and the table refuses it too, or the new status is the table's.
    """

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.store = Store.open(Path(self.folder.name), FormRegistry.load(TEST_FORMS))
        self.outbox, self.remote = Outbox(self.store), Remote(self.store)
        self.uuid: str | None = None
        self.create()
        self.cursor = 0
        self.seen: set[Status] = {Status.EN_COURS}

    def teardown(self) -> None:
        self.store.close()
        self.folder.cleanup()

    def _status(self) -> Status | None:
        if self.uuid is None:
            return None
        return self.store.get(self.uuid).status

    def _step(self, action: Action, work) -> None:  # type: ignore[no-untyped-def]
        before = self._status()
        assert before is not None
        try:
            work()
            refused = False
        except StoreError:
            refused = True
        after = None if action is Action.DELETE and not refused else self._status()
        if refused or after == before and not allowed(before, action):
            assert after == before, f"{action} refused but the status moved {before} → {after}"
            return
        assert allowed(before, action), f"{action} done in « {before.label} », which the table refuses"
        expected = next_state(before, action)
        if action is Action.TAKE_BACK:
            expected = taken_back_to(known_to_server=any(v.server_rev for v in self.store.versions(self.uuid or "")))
        assert after == expected, f"{action} from {before} gave {after}, the table says {expected}"
        if after is None:
            self.uuid = None
        else:
            self.seen.add(after)

    @precondition(lambda self: self.uuid is None)
    @rule()
    def create(self) -> None:
        """A new draft (the only way on after a deletion)."""
        self.uuid = self.store.create(form_id=OFFICIAL_FORM, title="Action", answers=complete_answers()).uuid

    def _latest_op(self) -> str | None:
        assert self.uuid is not None
        waiting = [i for i in self.outbox.items(self.uuid) if OutboxState(i.state).waiting]
        return waiting[0].op_id if waiting else None

    @precondition(lambda self: self.uuid is not None)
    @rule(value=st.integers(min_value=1, max_value=40))
    def edit(self, value: int) -> None:
        assert self.uuid is not None
        uuid = self.uuid
        self._step(Action.EDIT, lambda: self.store.set_answer(uuid, "nb_enfants_inscrits", value))

    @precondition(lambda self: self.uuid is not None)
    @rule()
    def transmit(self) -> None:
        uuid = self.uuid or ""
        self._step(Action.TRANSMIT, lambda: self.store.transmit(uuid))

    @precondition(lambda self: self.uuid is not None)
    @rule()
    def delete(self) -> None:
        uuid = self.uuid or ""
        self._step(Action.DELETE, lambda: self.store.delete(uuid))

    @precondition(lambda self: self.uuid is not None and self._latest_op() is not None)
    @rule()
    def take_back(self) -> None:
        uuid = self.uuid or ""
        self._step(Action.TAKE_BACK, lambda: self.outbox.withdraw(uuid))

    @precondition(lambda self: self.uuid is not None and self._latest_op() is not None)
    @rule(refused=st.booleans())
    def server_answers(self, refused: bool) -> None:
        op = self._latest_op()
        assert op is not None
        if refused:
            self.outbox.mark_refused(op, code="validation", message="Refusé")
            assert self._status() is Status.A_ENVOYER  # a refusal keeps it waiting: « Échec d'envoi »
            uuid = self.uuid or ""
            self._step(Action.RETRY, lambda: self.outbox.retry(uuid))
        else:
            self._step(Action.ACCEPT, lambda: self.outbox.mark_sent(op, server_rev=self.cursor + 1, state="transmis"))
            self.cursor += 1

    @precondition(lambda self: self.uuid is not None and self._status() is Status.TRANSMIS)
    @rule(validate=st.booleans())
    def caf_decides(self, validate: bool) -> None:
        assert self.uuid is not None
        version = self.store.versions(self.uuid)[-1].version_id
        action, state = (Action.VALIDATE, "valide") if validate else (Action.RETURN, "a_corriger")
        self.cursor += 1
        change = RemoteState(self.uuid, state, version, _now())
        self._step(action, lambda: self.remote.apply([change], f"c{self.cursor}"))

    @invariant()
    def status_is_known(self) -> None:
        status = self._status()
        assert status is None or status in Status
        if status is Status.VALIDE:
            assert self.uuid is not None
            assert not self.store.can_delete(self.uuid)


StoreLifecycle.TestCase.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_store_follows_the_table = StoreLifecycle.TestCase


def test_the_protocol_speaks_the_lifecycle_states() -> None:
    from typing import get_args

    from forms.lifecycle import SERVER_STATES, NoticeState
    from sync import protocol

    assert get_args(protocol.ServerState) == tuple(s.value for s in SERVER_STATES)
    assert protocol.NoticeView.model_fields["status"].annotation is NoticeState


def test_an_action_is_validated_only_after_its_fiche_structure() -> None:
    from forms.lifecycle import STRUCTURE_FIRST, check_validation_order

    with pytest.raises(NotAllowed, match=STRUCTURE_FIRST):
        check_validation_order(Action.VALIDATE, structure_validated=False)
    check_validation_order(Action.VALIDATE, structure_validated=True)
    check_validation_order(Action.RETURN, structure_validated=False)  # only Valider waits for it
