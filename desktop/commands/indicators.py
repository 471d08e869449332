"""The `indicators` command: Mes indicateurs, as a table, JSON, or the printable « Indicateurs » PDF page."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from desktop.commands.base import EXIT_OK, CommandError, Commands, open_store, print_json
from forms.formatting import plural


def cmd_indicators(args: argparse.Namespace) -> int:
    from forms.indicators import FIGURES, as_json, format_value, indicators, organisation_of

    with open_store(args) as store:
        campaigns = indicators(store)
        organisation = organisation_of(store)
    if args.pdf:
        from forms.pdf.export import os_error_message
        from forms.pdf.indicators import render_indicators

        try:
            render_indicators(
                Path(args.pdf), campaigns, organisation=organisation, generated_at=dt.datetime.now().astimezone()
            )
        except OSError as error:
            raise CommandError(f"Écriture impossible dans {args.pdf} : {os_error_message(error)}.") from None
    if args.json:
        print_json(as_json(campaigns))
    elif args.pdf:
        print(f"Indicateurs enregistrés : {args.pdf}")
    elif not campaigns:
        print("Aucun questionnaire : pas encore d'indicateurs.")
    else:
        for c in campaigns:
            print(
                f"Campagne {c.school_year} ({c.sent.questionnaires} transmis, "
                f"{plural(c.drafts.questionnaires, 'brouillon')})"
            )
            for key, label, _ in FIGURES:
                drafts = (
                    f" (+ brouillons : {format_value(key, c.drafts.value(key))})" if c.drafts.questionnaires else ""
                )
                print(f"  {label} : {format_value(key, c.sent.value(key))}{drafts}")
    return EXIT_OK


def register(commands: Commands) -> None:
    p = commands.add("indicators", cmd_indicators, "Mes indicateurs : vos chiffres par campagne (tableau, JSON ou PDF)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--pdf", metavar="FICHIER", help="enregistre la page « Indicateurs » en PDF")
