"""The per-questionnaire summary the list reads: right after every kind of write, and one query when fresh."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from forms.evaluation import Progress
from forms.lifecycle import Status
from forms.listing import DB_FILE, fresh_summaries
from forms.store import DB_FILE_NAME, Store
from forms.store.outbox import Outbox
from forms.store.summary import Summary, summaries
from tests.conftest import OFFICIAL_FORM
from tests.forms.sample_answers import complete_answers


def summary_of(store: Store, uuid: str) -> Summary:
    return next(s for s in summaries(store) if s.uuid == uuid)


def truth(store: Store, uuid: str) -> tuple[int, int, int, bool]:
    """What the list showed before the summary: computed from scratch."""
    evaluation = store.evaluate(uuid)
    pages = evaluation.counted_pages
    return (
        sum(p.state == Progress.COMPLETE for p in pages),
        len(pages),
        len(evaluation.blocking),
        store.can_delete(uuid),
    )


def shown(summary: Summary) -> tuple[int, int, int, bool]:
    return (summary.pages_complete or 0, summary.pages_total, summary.points, summary.deletable)


def test_the_summary_follows_every_write(store: Store) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Coup de pouce").uuid
    assert shown(summary_of(store, uuid)) == truth(store, uuid)
    assert summary_of(store, uuid).pages_complete == 0

    for question_id, value in complete_answers().items():  # one autosave after another
        store.set_answer(uuid, question_id, value)
    assert shown(summary_of(store, uuid)) == truth(store, uuid)
    assert summary_of(store, uuid).points == 0

    store.transmit(uuid)
    after = summary_of(store, uuid)
    assert after.status == Status.A_ENVOYER
    assert not after.deletable  # a version exists now
    assert shown(after) == truth(store, uuid)

    outbox = Outbox(store)
    outbox.mark_refused(outbox.items(uuid)[0].op_id, code="invalid", message="Refusé.")
    assert summary_of(store, uuid).badge.label == "Échec d'envoi"

    store.delete(store.create(form_id=OFFICIAL_FORM, title="Jeté").uuid)
    assert [s.title for s in summaries(store)] == ["Coup de pouce"]


def test_a_write_by_any_code_path_drops_the_summary(store: Store) -> None:
    """Even SQL that knows nothing of summaries (another module, a future feature) keeps it true."""
    uuid = store.create(form_id=OFFICIAL_FORM, title="Coup de pouce", answers=complete_answers()).uuid
    assert summary_of(store, uuid).points == 0
    with store.engine.begin() as c:
        c.exec_driver_sql("DELETE FROM answer WHERE questionnaire_uuid = ?", (uuid,))
        c.exec_driver_sql("UPDATE questionnaire SET status = 'transmis' WHERE uuid = ?", (uuid,))
    after = summary_of(store, uuid)
    assert after.status == Status.TRANSMIS
    assert shown(after) == truth(store, uuid)
    assert after.points > 0


def test_without_the_triggers_the_summary_would_be_stale(store: Store) -> None:
    """Negative control: the triggers are what keeps the summary true."""
    uuid = store.create(form_id=OFFICIAL_FORM, title="Coup de pouce").uuid
    summaries(store)
    with store.engine.begin() as c:
        for (name,) in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").all():
            c.exec_driver_sql(f"DROP TRIGGER {name}")
    for question_id, value in complete_answers().items():
        store.set_answer(uuid, question_id, value)
    assert shown(summary_of(store, uuid)) != truth(store, uuid)


@pytest.fixture
def statements(store: Store) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    return seen


def test_a_fresh_list_is_one_query(store: Store, statements: list[str]) -> None:
    for number in range(20):
        store.create(form_id=OFFICIAL_FORM, title=f"Action {number}")
    summaries(store)  # builds the missing summaries once
    statements.clear()
    assert len(summaries(store)) == 20
    assert len(statements) == 1
    uuid = summaries(store)[5].uuid
    store.set_answer(uuid, next(iter(complete_answers())), next(iter(complete_answers().values())))
    statements.clear()
    summaries(store)  # only the edited questionnaire is recomputed
    assert len([s for s in statements if "INSERT INTO questionnaire_summary" in s]) == 1


def test_the_light_reader_reads_the_same_summaries_or_defers(store: Store) -> None:
    assert DB_FILE == DB_FILE_NAME
    uuid = store.create(form_id=OFFICIAL_FORM, title="Coup de pouce", answers=complete_answers()).uuid
    assert fresh_summaries(store.path) is None  # not built yet: the store's path builds it
    built = summaries(store)
    assert fresh_summaries(store.path) == built
    store.set_answer(uuid, next(iter(complete_answers())), None)
    assert fresh_summaries(store.path) is None  # dropped by the edit's own transaction
    with store.engine.begin() as c:
        c.exec_driver_sql("PRAGMA user_version = 99")
    summaries(store)
    assert fresh_summaries(store.path) is None  # a schema it does not know: the store refuses it
