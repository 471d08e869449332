"""A batch's receipts marked in one go (Outbox.mark_sent_many, set-wise) leave the store exactly as
the former statement-per-receipt code did, applied one receipt after the other (kept here as the
reference): the outbox rows, the server revs, the bases, the statuses and the summaries their
triggers keep."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

import forms.store.outbox
from forms.lifecycle import OUTBOX_WAITING, OutboxState
from forms.registry import FormRegistry
from forms.store import Store
from forms.store.outbox import _O, _Q, _V, Outbox
from forms.store.store import _iso, utc_now
from tests.forms.sample_answers import FORM_ID, TITLE, complete_answers
from tests.sync.support import dump


def reference_mark_sent(store: Store, op_id: str, server_rev: int, state: str) -> None:
    """The code mark_sent_many replaced: five statements per receipt."""
    now = _iso(forms.store.outbox.utc_now())
    with store._write() as c:
        item = c.execute(select(_O).where(_O.c.op_id == op_id)).first()
        if item is None:
            return
        c.execute(update(_O).where(_O.c.op_id == op_id).values(state=OutboxState.DONE, updated_at=now))
        c.execute(update(_V).where(_V.c.version_id == op_id).values(server_rev=server_rev))
        waiting = c.execute(
            select(func.count()).where(
                _O.c.questionnaire_uuid == item.questionnaire_uuid, _O.c.state.in_(OUTBOX_WAITING)
            )
        ).scalar()
        values: dict[str, object] = {"base_version_id": op_id}
        if not waiting:
            values |= {"status": state, "status_changed_at": now}
        c.execute(update(_Q).where(_Q.c.uuid == item.questionnaire_uuid).values(**values))


def test_receipts_marked_together_leave_what_one_by_one_leaves(
    tmp_path: Path, registry: FormRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = utc_now()
    monkeypatch.setattr(forms.store.outbox, "utc_now", lambda: moment)
    one = Store.open(tmp_path / "one", registry)
    for n in range(6):
        one.transmit(one.create(form_id=FORM_ID, title=f"{TITLE} {n}", answers=complete_answers()).uuid)
    items = Outbox(one).sendable()
    one.close()
    shutil.copytree(tmp_path / "one", tmp_path / "many")
    one, many = Store.open(tmp_path / "one", registry), Store.open(tmp_path / "many", registry)
    # Mixed outcomes: states as the server says them, and a receipt for an item this store never had.
    receipts = [(item.op_id, 10 + n, "a_corriger" if n == 2 else "transmis") for n, item in enumerate(items)]
    receipts.insert(3, ("00000000-0000-4000-8000-000000000000", 99, "transmis"))
    before = dump(many)
    for receipt in receipts:
        reference_mark_sent(one, *receipt)
    Outbox(many).mark_sent_many(receipts)
    assert dump(many) != before  # the control: the receipts did change something
    assert dump(many) == dump(one)
    assert Outbox(many).count() == 0
    one.close()
    many.close()
