"""The `pdf` command: one bilan (or its transmission receipt) to a file, or every bilan into a folder."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from desktop.commands.base import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CommandError, Commands, open_store, print_json
from forms.formatting import plural


def cmd_pdf(args: argparse.Namespace) -> int:
    if args.all:
        if args.uuid or args.output or args.receipt:
            raise CommandError("avec --all, indiquez seulement --out-dir (et --form)", EXIT_USAGE)
        if not args.out_dir:
            raise CommandError("indiquez le dossier de sortie : bilan-clas pdf --all --out-dir DOSSIER", EXIT_USAGE)
        return _export_all(args)
    if not args.uuid:
        raise CommandError("indiquez un questionnaire (bilan-clas pdf UUID -o FICHIER) ou --all", EXIT_USAGE)
    if not args.output:
        raise CommandError("indiquez le fichier de sortie : bilan-clas pdf UUID -o FICHIER", EXIT_USAGE)
    if args.out_dir or args.form:
        raise CommandError("--out-dir et --form ne valent qu'avec --all", EXIT_USAGE)
    return _export_one(args)


def _export_one(args: argparse.Namespace) -> int:
    # reportlab is imported here, not at the top: the other commands start without its ~0.2 s.
    from forms.pdf import bilan_from_store, render_bilan, render_receipt
    from forms.pdf.export import os_error_message

    now = dt.datetime.now().astimezone()
    render = render_receipt if args.receipt else render_bilan
    with open_store(args) as store:
        bilan = bilan_from_store(store, args.uuid)
    to_stdout = args.output == "-"
    target = Path(args.output)
    try:
        if to_stdout:
            render(sys.stdout.buffer, bilan, generated_at=now)
            sys.stdout.flush()
            return EXIT_OK
        render(target, bilan, generated_at=now)
    except ValueError as refusal:  # a receipt for a questionnaire never transmitted
        raise CommandError(str(refusal)) from None
    except OSError as error:
        raise CommandError(f"Écriture impossible dans {target} : {os_error_message(error)}.") from None
    if args.json:
        print_json({"uuid": args.uuid, "file": str(target.resolve()), "receipt": args.receipt})
    else:
        kind = "Accusé de transmission" if args.receipt else "Bilan"
        print(f"{kind} enregistré : {target}")
    return EXIT_OK


def _export_all(args: argparse.Namespace) -> int:
    from forms.pdf import ExportError, export_all

    out_dir = Path(args.out_dir)
    show_progress = sys.stderr.isatty() and not args.json

    def progress(done: int, total: int) -> None:
        if show_progress:
            shown = f"\r{done}/{total} bilan{'s' if total > 1 else ''}"
            print(shown, end="" if done < total else "\n", file=sys.stderr, flush=True)

    failures: list[tuple[str, str]] = []
    with open_store(args) as store:
        if args.form and not any(d.id == args.form for d in store.registry.all()):
            raise CommandError(f"Formulaire inconnu : {args.form}.")
        try:
            # Both cores when there are many (a process pool); the app keeps its one worker thread.
            workers = min(4, os.cpu_count() or 1)
            written = export_all(store, out_dir, form_id=args.form, on_progress=progress, workers=workers)
        except ExportError as error:
            if not error.written and not error.failures:
                raise CommandError(str(error)) from None
            written, failures = error.written, error.failures
    if args.json:
        print_json({
            "out_dir": str(out_dir.resolve()),
            "written": [str(p) for p in written],
            "failures": [{"title": t, "reason": r} for t, r in failures],
        })  # fmt: skip
    else:
        for path in written:
            print(path)
        print(f"{plural(len(written), 'bilan enregistré', 'bilans enregistrés')} dans {out_dir}.")
    for title, reason in failures:
        print(f"bilan-clas : « {title} » : {reason}", file=sys.stderr)
    return EXIT_ERROR if failures else EXIT_OK


def register(commands: Commands) -> None:
    p = commands.add(
        "pdf",
        cmd_pdf,
        "imprime en PDF le bilan d'un questionnaire (ou son accusé de transmission), ou tous les bilans",
    )
    p.add_argument("uuid", nargs="?", metavar="UUID", help="le questionnaire (voir bilan-clas list)")
    p.add_argument("-o", "--output", metavar="FICHIER", help="fichier PDF à écrire (- pour la sortie standard)")
    p.add_argument("--receipt", action="store_true", help="l'accusé de transmission plutôt que le bilan")
    p.add_argument("--all", action="store_true", help="tous les questionnaires, un PDF chacun")
    p.add_argument("--out-dir", metavar="DOSSIER", help="dossier où écrire les PDF (avec --all)")
    p.add_argument("--form", metavar="ID", help="seulement les questionnaires de ce formulaire (avec --all)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
