"""Small helpers shared by the benchmark scripts: percentiles and a plain table."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the samples fall (nearest rank)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max of durations given in seconds, in milliseconds."""
    return {
        "p50": percentile(samples, 0.50) * 1000,
        "p95": percentile(samples, 0.95) * 1000,
        "p99": percentile(samples, 0.99) * 1000,
        "max": max(samples) * 1000,
        "mean": statistics.fmean(samples) * 1000,
    }


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header]] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
