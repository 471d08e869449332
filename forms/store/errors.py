"""What the store refuses, each with a French message fit to show as is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forms.formatting import plural

if TYPE_CHECKING:
    from forms.evaluation import Evaluation


class StoreError(Exception):
    """Base of every refusal; str(error) is the French message."""


class StorageRefused(StoreError):
    """The disk or the file would not let us read or write: nothing was written."""


class DamagedDatabase(StorageRefused):
    """The data file is corrupt or truncated: never written to, recovery offered."""


class DiskFull(StorageRefused):
    pass


class ReadOnlyData(StorageRefused):
    pass


class NotFound(StoreError):
    pass


class NotEditable(StoreError):
    pass


class NotDeletable(StoreError):
    pass


class UnknownForm(StoreError):
    pass


class InvalidAnswer(StoreError):
    pass


class ConflictsPending(StoreError):
    """Fields changed both by the Caf and locally wait for the partner's choice."""


class NotTransmittable(StoreError):
    def __init__(self, evaluation: Evaluation) -> None:
        count = len(evaluation.blocking)
        super().__init__(
            f"Le questionnaire ne peut pas être transmis : {plural(count, 'point')} à compléter ou corriger."
        )
        self.evaluation = evaluation
