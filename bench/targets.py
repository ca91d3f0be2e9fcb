"""Issue 9's targets as pure arithmetic: request budgets, floors, ratios and verdicts."""

from __future__ import annotations

import math
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
    measured: str
    met: bool
    note: str = ""


def at_most(target: str, value: float, limit: float, unit: str = "", note: str = "") -> Verdict:
    return Verdict(target, f"{_num(value)}{unit} (limit {_num(limit)}{unit})", value <= limit, note)


def at_least(target: str, value: float, floor: float, unit: str = "", note: str = "") -> Verdict:
    return Verdict(target, f"{_num(value)}{unit} (needs {_num(floor)}{unit})", value >= floor, note)


def _num(value: float) -> str:
    if float(value).is_integer() and abs(value) >= 10:
        return f"{int(value):,}"
    return f"{value:,.2f}"
