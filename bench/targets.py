"""Issue 9's targets as pure arithmetic: request budgets, floors, ratios and verdicts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

BATCH_SIZE = 20
READS_PER_POLICY = 3  # two payload streams and the assignment list, in `separate` mode
PAGE_SIZE = 100  # the emulator's default largest page

PLAN_WALL_VS_FLOOR = 1.3
PLANNING_POLICIES_PER_SECOND = 5_000
PEAK_RSS_MB = 300
APPLY_429_SHARE = 0.01
APPLY_VS_PACING_FLOOR = 1.2


def list_pages(n: int, page_size: int = PAGE_SIZE) -> int:
    """GETs to list n policies: at least one page, even for an empty collection."""
    return max(1, math.ceil(n / page_size))


def pages(n: int, page_size: int = PAGE_SIZE) -> int:
    """The `pages` of the budget: the singleton GET plus the collection's list pages."""
    return 1 + list_pages(n, page_size)


def batch_calls(n: int) -> int:
    return math.ceil(READS_PER_POLICY * n / BATCH_SIZE)


def plan_request_budget(n: int, page_size: int = PAGE_SIZE) -> int:
    """`pages + ceil(3N/20)`: the most requests a plan may send."""
    return pages(n, page_size) + batch_calls(n)


def naive_requests(n: int, page_size: int = PAGE_SIZE) -> int:
    """One GET per object, per payload and per assignment list, plus the pages."""
    return pages(n, page_size) + (1 + READS_PER_POLICY) * n


def pacing_floor(writes: int, limit: int, seconds: float) -> float:
    """Seconds `writes` take at the allowed rate (`limit` writes per `seconds`)."""
    return writes * seconds / limit


def ratio(ours: float, reference: float) -> float | None:
    return ours / reference if reference > 0 else None


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str  # every N, e.g. "2.70x at 5,000; 4.84x at 1,000"
    met: bool
    shortfall: str = ""  # by how much the worst N misses; empty when met


def number(value: float, unit: str = "") -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return text + unit


def at_most(
    target: str, values: Sequence[tuple[int, float]], limit: float, unit: str = ""
) -> Verdict:
    """Met when the value at every N is at most `limit`; the shortfall is the worst ratio."""
    worst_n, worst = max(values, key=lambda nv: nv[1])
    over = worst / limit if limit else math.inf
    return Verdict(
        target,
        _per_n(values, unit),
        worst <= limit,
        "" if worst <= limit else f"{over:.1f}x the limit at N = {worst_n:,}",
    )


def at_least(
    target: str, values: Sequence[tuple[int, float]], floor: float, unit: str = ""
) -> Verdict:
    """Met when the value at every N is at least `floor`; the shortfall is the worst share."""
    worst_n, worst = min(values, key=lambda nv: nv[1])
    short = 1 - worst / floor
    return Verdict(
        target,
        _per_n(values, unit),
        worst >= floor,
        "" if worst >= floor else f"{short:.0%} short at N = {worst_n:,}",
    )


def _per_n(values: Sequence[tuple[int, float]], unit: str) -> str:
    return "; ".join(f"{number(v, unit)} at {n:,}" for n, v in sorted(values))
