"""`notices UUID` (the Caf's notices with their question, state, date and replies) and `reply NOTICE_ID`."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from desktop.commands.base import EXIT_OK, Commands, open_store, print_json

if TYPE_CHECKING:
    from forms.store import Store


def cmd_notices(args: argparse.Namespace) -> int:
    from forms.formatting import french_datetime
    from forms.overview import all_notices, notice_document

    with open_store(args) as store:
        store.get(args.uuid)  # NotFound: a clear line, exit 3
        documents = [notice_document(store, args.uuid, n) for n in all_notices(store, args.uuid)]
    if args.json:
        print_json(documents)
        return EXIT_OK
    if not documents:
        print("Aucune remarque de la Caf sur ce questionnaire.")
    for d in documents:
        when = french_datetime(dt.datetime.fromisoformat(str(d["created_at"])))
        print(f"{d['notice_id']}  [{d['state_label']}]  {when}  {d['question']}")
        print(f"    {d['message']}")
        for r in d["replies"]:  # type: ignore[attr-defined]
            print(f"    ↳ votre réponse ({r['state_label']}) : {r['message']}")
    return EXIT_OK


def cmd_reply(args: argparse.Namespace) -> int:
    from forms.store.replies import Replies

    with open_store(args) as store:
        reply_id = Replies(store).add(args.notice_id, args.message)
    print(f"Réponse enregistrée (à envoyer, {reply_id}) : elle partira vers la Caf à la prochaine synchronisation.")
    return EXIT_OK


def open_notices(store: Store, questionnaire_uuid: str) -> list[dict[str, object]]:
    from forms.lifecycle import NoticeState
    from forms.overview import all_notices, notice_document

    """The open notices of a questionnaire, for `check` and `export`."""
    return [
        notice_document(store, questionnaire_uuid, n)
        for n in all_notices(store, questionnaire_uuid)
        if n.state is NoticeState.OPEN
    ]


def register(commands: Commands) -> None:
    p = commands.add("notices", cmd_notices, "affiche les remarques de la Caf sur un questionnaire, et vos réponses")
    p.add_argument("uuid", metavar="UUID")
    p.add_argument("--json", action="store_true", help="sortie JSON")

    p = commands.add("reply", cmd_reply, "répond à une remarque de la Caf (envoyée à la prochaine synchronisation)")
    p.add_argument("notice_id", metavar="NOTICE_ID")
    p.add_argument("--message", required=True, metavar="TEXTE", help="votre réponse (texte brut)")
