"""The local SQLite store (sqlmodel), its schema and its upgrades."""

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
from forms.store.store import DB_FILE_NAME, NoticeInfo, QuestionnaireInfo, Store, VersionInfo

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
