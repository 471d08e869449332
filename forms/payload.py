"""The frozen body of a transmission and its hash: canonical JSON, the same bytes on every attempt."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Sorted keys, no insignificant spaces, UTF-8 text kept as is: one value, one string."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def payload_sha256(
    *,
    base_version_id: str | None,
    form_id: str,
    form_version: int,
    answers: dict[str, Any],
    attachments: list[dict[str, Any]],
) -> str:
    """The hash both ends compute over what a version says (not over how it was transported)."""
    content = {
        "base_version_id": base_version_id,
        "form_id": form_id,
        "form_version": form_version,
        "answers": answers,
        "attachments": attachments,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
