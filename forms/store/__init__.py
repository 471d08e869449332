"""The local SQLite store (sqlmodel), its schema and its upgrades.

The store itself (sqlalchemy, sqlmodel) is imported on first use of `Store` and its kin, so that a
light reader (forms/listing.py, `bilan-clas list`) can use forms.store.migrations without it.
"""

from typing import TYPE_CHECKING, Any

from forms.store.errors import (
    ConflictsPending,
    InvalidAnswer,
    NotDeletable,
    NotEditable,
    NotFound,
    NotTransmittable,
    StoreError,
    UnknownForm,
)

if TYPE_CHECKING:
    from forms.store.store import DB_FILE_NAME, NoticeInfo, QuestionnaireInfo, Store, VersionInfo

_FROM_STORE = {"DB_FILE_NAME", "NoticeInfo", "QuestionnaireInfo", "Store", "VersionInfo"}


def __getattr__(name: str) -> Any:
    if name in _FROM_STORE:
        from forms.store import store

        return getattr(store, name)
    raise AttributeError(f"module 'forms.store' has no attribute {name!r}")


__all__ = [
    "ConflictsPending",
    "DB_FILE_NAME",
    "InvalidAnswer",
    "NoticeInfo",
    "NotDeletable",
    "NotEditable",
    "NotFound",
    "NotTransmittable",
    "QuestionnaireInfo",
    "Store",
    "StoreError",
    "UnknownForm",
    "VersionInfo",
]
