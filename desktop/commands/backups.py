"""Local backups: `backup` (make one now, or `--list` them) and `restore FILE`."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.commands.base import EXIT_OK, CommandError, Commands, print_json


def cmd_backup(args: argparse.Namespace) -> int:
    from forms.paths import data_dir
    from forms.store import DB_FILE_NAME, backups

    db_path = data_dir(args.data_dir) / DB_FILE_NAME
    if args.list:
        found = backups.list_backups(db_path)
        if args.json:
            print_json(
                [
                    {
                        "path": str(i.path), "made_at": i.made_at.isoformat(), "reason": i.reason,
                        "questionnaires": i.questionnaires, "healthy": i.healthy,
                        "last_edit": i.last_edit.isoformat() if i.last_edit else None,
                    }
                    for i in found
                ]
            )  # fmt: skip
        else:
            for info in found:
                print(f"{info.path}  {info.describe()}")
            if not found:
                print(f"Aucune sauvegarde dans {backups.backup_dir(db_path)}.")
        return EXIT_OK
    if not db_path.is_file():
        raise CommandError(f"Rien à sauvegarder : aucune donnée dans {db_path.parent}.")
    print(backups.make_backup(db_path, "manuelle"))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from forms.paths import data_dir
    from forms.store import DB_FILE_NAME, backups

    db_path = data_dir(args.data_dir) / DB_FILE_NAME
    source = Path(args.file)
    salvaged = backups.salvage(db_path) if db_path.is_file() else {}
    aside = backups.restore(db_path, source)
    print(f"Sauvegarde restaurée : {source.name} ({backups.describe(db_path).describe()}).")
    if aside is not None:
        print(f"Les données remplacées sont gardées de côté : {aside}")
    missing = backups.lacking(salvaged, db_path)
    if missing:
        print("Ce que la sauvegarde n'a pas, d'après ce qui reste lisible dans le fichier remplacé :")
        for line in missing:
            print(f"- {line}")
    return EXIT_OK


def register(commands: Commands) -> None:
    p = commands.add("backup", cmd_backup, "fait une sauvegarde des données maintenant (ou --list les montre)")
    p.add_argument("--list", action="store_true", help="liste les sauvegardes (date, contenu, état)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p = commands.add("restore", cmd_restore, "remplace les données par une sauvegarde (l'actuel est gardé de côté)")
    p.add_argument("file", metavar="FICHIER", help="la sauvegarde à restaurer (voir bilan-clas backup --list)")
