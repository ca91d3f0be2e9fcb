"""Where each of issue 9's targets stands, from the measured runs."""

from __future__ import annotations

from typing import Any

from bench import targets
from bench.targets import Verdict

Run = dict[str, Any]

PLAN_REQUESTS = "plan requests <= pages + ceil(3N/20)"
PLAN_VS_FLOOR = f"plan wall time <= {targets.PLAN_WALL_VS_FLOOR}x the floor"
RATE_CLEAN = f"diff+planning >= {targets.PLANNING_POLICIES_PER_SECOND:,} policies/s, no changes"
RATE_CHANGED = f"diff+planning >= {targets.PLANNING_POLICIES_PER_SECOND:,} policies/s, 10% changed"
PEAK_RSS = f"peak RSS < {targets.PEAK_RSS_MB} MB at the largest N"
APPLY_429 = f"apply: < {targets.APPLY_429_SHARE:.0%} of writes answered 429"
APPLY_PACE = f"apply write phase <= {targets.APPLY_VS_PACING_FLOOR}x the pacing floor"


def rate(run: Run, phases: str) -> float:
    """Policies per CPU second of `make_plan` (diff and planning only, no HTTP)."""
    cpu = run[phases]["plan_cpu"]
    return run["n"] / cpu if cpu > 0 else float("inf")


def peak_rss(run: Run) -> float:
    return max(run[k]["rss_mb"] for k in ("plan_clean", "plan_changed", "export", "apply"))


def write_phase_ratio(run: Run) -> float:
    apply = run["apply"]
    return (apply["write_phase"] or float("inf")) / apply["pacing_floor"]


def verdicts(runs: list[Run]) -> list[Verdict]:
    largest = max(runs, key=lambda r: r["n"])
    over_budget = [
        (r["n"], max(r["plan_clean"]["requests"], r["plan_changed"]["requests"]) / r["budget"])
        for r in runs
    ]
    return [
        targets.at_most(PLAN_REQUESTS, over_budget, 1.0, "x the budget"),
        targets.at_most(
            PLAN_VS_FLOOR,
            [(r["n"], r["plan_clean"]["wall"] / r["floor"]["wall"]) for r in runs],
            targets.PLAN_WALL_VS_FLOOR,
            "x",
        ),
        targets.at_least(
            RATE_CLEAN,
            [(r["n"], rate(r, "phases_clean")) for r in runs],
            targets.PLANNING_POLICIES_PER_SECOND,
            "/s",
        ),
        targets.at_least(
            RATE_CHANGED,
            [(r["n"], rate(r, "phases_changed")) for r in runs],
            targets.PLANNING_POLICIES_PER_SECOND,
            "/s",
        ),
        targets.at_most(PEAK_RSS, [(largest["n"], peak_rss(largest))], targets.PEAK_RSS_MB, " MB"),
        targets.at_most(
            APPLY_429,
            [(r["n"], 100 * r["apply"]["throttled"] / max(r["apply"]["writes"], 1)) for r in runs],
            100 * targets.APPLY_429_SHARE,
            "%",
        ),
        targets.at_most(
            APPLY_PACE,
            [(r["n"], write_phase_ratio(r)) for r in runs],
            targets.APPLY_VS_PACING_FLOOR,
            "x",
        ),
    ]
