"""Form definitions received from the server, kept in DATA/forms so that they load at the next start."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from forms.definition import FormDefinition
from forms.store import Store
from sync.client import SyncClient


def forms_dir(store: Store) -> Path:
    return store.path.parent / "forms"


def _save(store: Store, definition: FormDefinition) -> None:
    folder = forms_dir(store)
    folder.mkdir(mode=0o700, exist_ok=True)
    text = json.dumps(
        definition.model_dump(mode="json", by_alias=True, exclude_unset=True), ensure_ascii=False, indent=2
    )
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False, suffix=".tmp") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, folder / f"{definition.id}-v{definition.version}.json")


def fetch_forms(client: SyncClient, store: Store, wanted: Iterable[tuple[str, int]]) -> list[FormDefinition]:
    """Download and keep the definitions among `wanted` that this computer does not have yet."""
    added = []
    for form_id, version in sorted(set(wanted)):
        if (form_id, version) in store.registry:
            continue
        definition = client.form(form_id, version)
        if definition.key != (form_id, version):
            continue  # the server answered for another form: ignore it rather than file it wrongly
        _save(store, definition)
        store.registry.add(definition)
        added.append(definition)
    return added
