"""results.json -> results.md (Markdown tables and target verdicts) and bench.png."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench import targets
from bench.targets import Verdict

Run = dict[str, Any]


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def times(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def count(value: float) -> str:
    return f"{value:,.0f}"


def _plan_rows(runs: list[Run]) -> Iterable[list[str]]:
    for r in runs:
        clean, changed, naive, floor = r["plan_clean"], r["plan_changed"], r["naive"], r["floor"]
        yield [
            count(r["n"]),
            seconds(clean["wall"]),
            seconds(changed["wall"]),
            f"{count(clean['requests'])} / {count(r['budget'])}",
            seconds(naive["wall"]),
            count(naive["requests"]),
            seconds(floor["wall"]),
            count(floor["requests"]),
            times(targets.ratio(clean["wall"], naive["wall"])),
            times(targets.ratio(clean["requests"], naive["requests"])),
            times(targets.ratio(clean["wall"], floor["wall"])),
            times(targets.ratio(clean["requests"], floor["requests"])),
        ]


def _cost_rows(runs: list[Run]) -> Iterable[list[str]]:
    for r in runs:
        clean, phases = r["plan_clean"], r["phases_clean"]
        rest = clean["wall"] - phases["load_cpu"] - phases["read_wall"] - phases["plan_cpu"]
        yield [
            count(r["n"]),
            seconds(clean["cpu"]),
            f"{clean['rss_mb']:.0f} MB",
            seconds(phases["load_cpu"]),
            seconds(phases["read_wall"]),
            seconds(phases["plan_cpu"]),
            seconds(r["phases_changed"]["plan_cpu"]),
            count(planning_rate(r)),
            seconds(max(rest, 0.0)),
        ]


def _export_apply_rows(runs: list[Run]) -> Iterable[list[str]]:
    for r in runs:
        export, apply = r["export"], r["apply"]
        yield [
            count(r["n"]),
            seconds(export["wall"]),
            count(export["requests"]),
            f"{export['rss_mb']:.0f} MB",
            count(apply["planned_writes"]),
            f"{apply['write_rate']:g}/s",
            seconds(apply["pacing_floor"]),
            seconds(apply["write_phase"]),
            times(targets.ratio(apply["write_phase"] or 0.0, apply["pacing_floor"])),
            seconds(apply["wall"]),
            f"{apply['throttled']} of {apply['writes']}",
            f"{apply['rss_mb']:.0f} MB",
        ]


def planning_rate(run: Run) -> float:
    """Policies per CPU second of make_plan, the slower of the two plans."""
    worst = max(run["phases_clean"]["plan_cpu"], run["phases_changed"]["plan_cpu"])
    return run["n"] / worst if worst > 0 else float("inf")


def verdicts(runs: list[Run]) -> list[Verdict]:
    """Each target at its worst over every N (RSS at the largest N, as the issue asks)."""
    plans = [(r, p) for r in runs for p in (r["plan_clean"], r["plan_changed"])]
    over = max(plans, key=lambda rp: rp[1]["requests"] - rp[0]["budget"])
    vs_floor = max(plans, key=lambda rp: rp[1]["wall"] / rp[0]["floor"]["wall"])
    slowest = min(runs, key=planning_rate)
    largest = max(runs, key=lambda r: r["n"])
    rss = max(largest[k]["rss_mb"] for k in ("plan_clean", "plan_changed", "export", "apply"))
    applies = [r["apply"] for r in runs]
    share = max(a["throttled"] / max(a["writes"], 1) for a in applies)
    pace = max((a["write_phase"] or float("inf")) / a["pacing_floor"] for a in applies)
    whole = max(a["wall"] / a["pacing_floor"] for a in applies)
    return [
        targets.at_most(
            "plan requests <= pages + ceil(3N/20)",
            over[1]["requests"],
            over[0]["budget"],
            note=f"worst at N = {over[0]['n']:,}",
        ),
        targets.at_most(
            f"plan wall time <= {targets.PLAN_WALL_VS_FLOOR}x the floor",
            vs_floor[1]["wall"] / vs_floor[0]["floor"]["wall"],
            targets.PLAN_WALL_VS_FLOOR,
            "x",
            note=f"worst at N = {vs_floor[0]['n']:,}",
        ),
        targets.at_least(
            "diff and planning CPU, policies per second",
            planning_rate(slowest),
            targets.PLANNING_POLICIES_PER_SECOND,
            note=f"slowest at N = {slowest['n']:,}",
        ),
        targets.at_most(
            f"peak RSS at N = {largest['n']:,}",
            rss,
            targets.PEAK_RSS_MB,
            " MB",
            note="largest of plan, export and apply",
        ),
        targets.at_most(
            "apply: share of writes answered 429",
            100 * share,
            100 * targets.APPLY_429_SHARE,
            "%",
            note="worst over all N",
        ),
        targets.at_most(
            f"apply write phase <= {targets.APPLY_VS_PACING_FLOOR}x the pacing floor",
            pace,
            targets.APPLY_VS_PACING_FLOOR,
            "x",
            note=f"whole command, with its two tenant reads: up to {whole:.2f}x",
        ),
    ]


def markdown(document: dict[str, Any]) -> str:
    runs: list[Run] = document["runs"]
    parts = [
        "# Benchmark results\n",
        f"Generated by `make bench` (`python -m bench.run`) in {document['total_seconds']:.0f} s "
        f"on Python {document['python']}, {document['machine']}. Emulator in `separate` stream "
        "mode, in its own process; each policy has two ~2 KB payloads and two assignments.\n",
        "## Plan: ours against the naive reader and the request floor\n",
        "Ratios compare `plan` with no changes (the whole command: start, manifests, reads, "
        "diff, output) with the other readers.\n",
        table(
            [
                "N",
                "plan, no changes",
                "plan, 10% changed",
                "plan requests / budget",
                "naive read",
                "naive requests",
                "floor read",
                "floor requests",
                "time vs naive",
                "requests vs naive",
                "time vs floor",
                "requests vs floor",
            ],
            _plan_rows(runs),
        ),
        "## Where a plan's time goes (no changes)\n",
        table(
            [
                "N",
                "plan CPU",
                "plan peak RSS",
                "manifest load CPU",
                "tenant read wall",
                "diff+planning CPU",
                "same, 10% changed",
                "policies/s",
                "start, imports, output",
            ],
            _cost_rows(runs),
        ),
        "## Export, and apply under throttling\n",
        table(
            [
                "N",
                "export",
                "export requests",
                "export RSS",
                "apply writes",
                "client pacing",
                "pacing floor",
                "write phase",
                "vs floor",
                "apply command",
                "429s of writes sent",
                "apply RSS",
            ],
            _export_apply_rows(runs),
        ),
        "## Targets\n",
        table(
            ["target", "measured", "met", "note"],
            ([v.target, v.measured, "yes" if v.met else "**no**", v.note] for v in verdicts(runs)),
        ),
    ]
    return "\n".join(parts)


def plot(document: dict[str, Any], path: Path) -> None:
    """Time and requests against N, ours against the naive reader and the floor."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot
    import matplotlib.pyplot as plt

    runs = sorted(document["runs"], key=lambda r: r["n"])
    sizes = [r["n"] for r in runs]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    series = {
        "naive read": [r["naive"]["wall"] for r in runs],
        "reconciler plan": [r["plan_clean"]["wall"] for r in runs],
        "reconciler export": [r["export"]["wall"] for r in runs],
        "floor (bare $batch loop)": [r["floor"]["wall"] for r in runs],
    }
    for label, values in series.items():
        left.plot(sizes, values, marker="o", label=label)
    left.set(xscale="log", yscale="log", xlabel="policies (N)", ylabel="wall time (s)")
    left.set_title("Time")
    requests = {
        "naive read": [r["naive"]["requests"] for r in runs],
        "reconciler plan": [r["plan_clean"]["requests"] for r in runs],
        "budget: pages + ceil(3N/20)": [r["budget"] for r in runs],
    }
    for label, values in requests.items():
        right.plot(sizes, values, marker="o", label=label)
    right.set(xscale="log", yscale="log", xlabel="policies (N)", ylabel="HTTP requests")
    right.set_title("Requests")
    for axes in (left, right):
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
