"""The `bilan-clas` subcommands, one module per topic; each module exposes `register(commands)`."""

from desktop.commands import indicators, pdf, questionnaires, sync

MODULES = [questionnaires, pdf, sync, indicators]
