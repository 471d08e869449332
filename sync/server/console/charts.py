"""Server-rendered SVG charts (no script): bars per day and bars per state. Each page shows the
same figures as a table for screen readers; the SVG is decorative (aria-hidden)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from forms.lifecycle import Status


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    fill: str
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (x, label) under the bars


def bars_per_day(per_day: list[tuple[dt.date, int]], width: int = 720, height: int = 160) -> Chart:
    top = max([n for _d, n in per_day] + [1])
    slot = width / max(1, len(per_day))
    bars = []
    ticks = []
    every = max(1, len(per_day) // 8)
    for i, (day, n) in enumerate(per_day):
        h = (height - 30) * n / top
        bars.append(Bar(i * slot + 1, height - 20 - h, max(1.0, slot - 2), h, day.isoformat(), n, "#0b4f7c", ""))
        if i % every == 0:
            ticks.append((i * slot, f"{day.day:02d}/{day.month:02d}"))
    return Chart(width, height, bars, ticks)


def states(counts: dict[Status, int], width: int = 720) -> Chart:
    top = max([*counts.values(), 1])
    bars = []
    for i, (state, n) in enumerate(counts.items()):
        badge = state.badge
        w = (width - 220) * n / top
        bars.append(Bar(160, i * 34 + 4, max(w, 2.0), 24, state.label, n, badge.text, badge.background))
    return Chart(width, len(counts) * 34 + 8, bars, [])
