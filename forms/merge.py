"""Three-way merge of answers, field by field (research anchors-sync-reliability §4.5).

base = the last server version both sides started from; theirs = the Caf's version; mine = the
local answers. A field changed on one side only takes that side's value; a field changed on both
sides to different values is a conflict the user settles. Nothing is decided by a clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.answers import is_answered


def _norm(value: Any) -> Any:
    return value if is_answered(value) else None


@dataclass(frozen=True)
class Conflict:
    question_id: str
    theirs: Any  # the Caf's value (None: the Caf cleared it)
    mine: Any


@dataclass(frozen=True)
class MergeResult:
    merged: dict[str, Any]  # unconflicted fields merged; conflicting fields keep MY value until settled
    conflicts: list[Conflict] = field(default_factory=list)
    theirs_changed: list[str] = field(default_factory=list)  # fields taken from the Caf

    @property
    def clean(self) -> bool:
        return not self.conflicts


def three_way(base: Mapping[str, Any], theirs: Mapping[str, Any], mine: Mapping[str, Any]) -> MergeResult:
    merged: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    taken: list[str] = []
    for key in sorted(set(base) | set(theirs) | set(mine)):
        b, t, m = _norm(base.get(key)), _norm(theirs.get(key)), _norm(mine.get(key))
        if t in (m, b):  # the same on both sides, or only I changed it
            value = m
        elif m == b:  # only the Caf changed it
            value = t
            taken.append(key)
        else:
            conflicts.append(Conflict(key, t, m))
            value = m
        if value is not None:
            merged[key] = value
    return MergeResult(merged, conflicts, taken)
