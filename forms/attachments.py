"""Documents attached to a questionnaire: copied into the data folder under their SHA-256.

The answer only describes the file (name, sha256, size, media_type); the bytes live in
DATA/attachments/<sha256>, written once (temporary file, then atomic rename), owner-only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.dialects.sqlite import insert

from forms.store import Store
from forms.store.database import WRITE
from forms.store.schema import Attachment

_CHUNK = 1 << 20


def attachments_dir(store: Store) -> Path:
    return store.path.parent / "attachments"


def attachment_path(store: Store, sha256: str) -> Path:
    return attachments_dir(store) / sha256


def import_attachment(store: Store, source: Path) -> dict[str, Any]:
    """Copy `source` into the data folder and return the answer value describing it."""
    folder = attachments_dir(store)
    folder.mkdir(mode=0o700, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, tempfile.NamedTemporaryFile(dir=folder, delete=False) as copy:
        try:
            while chunk := reader.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                copy.write(chunk)
            copy.flush()
            os.fsync(copy.fileno())
        except BaseException:
            os.unlink(copy.name)
            raise
    sha256 = digest.hexdigest()
    os.chmod(copy.name, 0o600)
    os.replace(copy.name, folder / sha256)
    media_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    now = dt.datetime.now(dt.UTC).isoformat()
    table = Attachment.__table__  # type: ignore[attr-defined]
    with store.engine.connect().execution_options(**WRITE) as connection, connection.begin():
        connection.execute(
            insert(table)
            .values(sha256=sha256, name=source.name, size=size, media_type=media_type, stored_at=now)
            .on_conflict_do_nothing()
        )
    return {"name": source.name, "sha256": sha256, "size": size, "media_type": media_type}


def attachment_problem(store: Store, sha256: str) -> str | None:
    """A French note when the stored copy is missing or altered; None when it checks out."""
    try:
        digest = hashlib.sha256()
        with attachment_path(store, sha256).open("rb") as reader:
            while chunk := reader.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return "Fichier introuvable dans le dossier de données de l'application."
    except OSError as exc:
        return f"Fichier illisible dans le dossier de données ({exc.strerror or exc})."
    if digest.hexdigest() != sha256:
        return "Fichier altéré : son contenu ne correspond plus à l'empreinte enregistrée."
    return None
