"""The list's « Nouvelles de la Caf », kept in the store until dismissed; refusals follow the lifecycle."""

from __future__ import annotations

from forms.lifecycle import Status
from forms.store import Store
from forms.store.news import NEWS_KEY, News
from forms.store.outbox import Outbox
from forms.store.remote import SyncSummary
from tests.conftest import OFFICIAL_FORM
from tests.desktop.storesetup import set_status
from tests.forms.sample_answers import complete_answers

NBSP = "\u00a0"


def test_news_add_up_until_dismissed(store: Store) -> None:
    news = News(store)
    assert news.text() == ""
    first, second = (store.create(form_id=OFFICIAL_FORM, title=t).uuid for t in ("Un", "Deux"))
    for uuid in (first, second):
        set_status(store, uuid, Status.VALIDE)
    news.add(SyncSummary(moved={first: Status.VALIDE.value}, notices=2))
    news.add(SyncSummary())  # a sync that brought nothing changes nothing
    news.add(SyncSummary(moved={second: Status.VALIDE.value}, notices=1))
    assert News(store).text() == "2 questionnaires validés, 3 remarques de la Caf."
    news.dismiss()
    assert News(store).text() == ""


def test_a_status_is_news_while_the_questionnaire_has_it(store: Store) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Retourné").uuid
    set_status(store, uuid, Status.A_CORRIGER)
    News(store).add(SyncSummary(moved={uuid: Status.A_CORRIGER.value}))
    assert News(store).text() == "1 questionnaire à corriger."
    set_status(store, uuid, Status.TRANSMIS)  # corrected and sent again: the list says Transmis
    assert News(store).text() == ""


def test_a_refusal_is_news_while_it_shows_echec_d_envoi(store: Store) -> None:
    info = store.create(form_id=OFFICIAL_FORM, title="Aide aux devoirs", answers=complete_answers())
    store.transmit(info.uuid)
    outbox = Outbox(store)
    (item,) = outbox.items(info.uuid)
    outbox.mark_refused(item.op_id, code="campaign_closed", message="Campagne close.")
    news = News(store)
    news.add_refused(info.uuid)
    news.add_refused(info.uuid)  # refused again at the next attempt: named once
    news.add(SyncSummary(notices=1))
    assert news.text() == (
        f"1 remarque de la Caf, 1 envoi refusé par le serveur («{NBSP}Aide aux devoirs{NBSP}») : "
        "ouvrez le questionnaire pour voir la raison."
    )
    outbox.retry(info.uuid)  # waiting again: not « Échec d'envoi » any more, so not said
    assert news.text() == "1 remarque de la Caf."


def test_a_damaged_value_is_news_lost_not_a_crash(store: Store) -> None:
    store.set_setting(NEWS_KEY, "{pas du json")
    assert News(store).text() == ""
    News(store).add(SyncSummary(notices=1))
    assert News(store).text() == "1 remarque de la Caf."
