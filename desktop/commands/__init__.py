"""The `bilan-clas` subcommands, one module per topic; each module exposes `register(commands)`."""

from desktop.commands import backups, indicators, notices, pdf, questionnaires, sync

MODULES = [questionnaires, pdf, sync, backups, notices, indicators]
