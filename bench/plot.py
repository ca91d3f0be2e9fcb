"""bench.png: wall time and HTTP requests against N, ours against the naive reader and floor."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot(document: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot
    import matplotlib.pyplot as plt

    runs = sorted(document["runs"], key=lambda r: r["n"])
    sizes = [r["n"] for r in runs]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    times = {
        "naive read (one GET per object)": [r["naive"]["wall"] for r in runs],
        "reconciler plan, no changes": [r["plan_clean"]["wall"] for r in runs],
        "reconciler plan, 10% changed": [r["plan_changed"]["wall"] for r in runs],
        "reconciler export": [r["export"]["wall"] for r in runs],
        "floor (bare $batch loop)": [r["floor"]["wall"] for r in runs],
    }
    for label, values in times.items():
        left.plot(sizes, values, marker="o", label=label)
    left.set(xscale="log", yscale="log", xlabel="policies (N)", ylabel="wall time (s)")
    left.set_title("Time")
    right.plot(sizes, [r["naive"]["requests"] for r in runs], marker="o", label="naive read")
    right.plot(
        sizes, [r["plan_clean"]["requests"] for r in runs], marker="o", label="reconciler plan"
    )
    # Dashed and drawn last: the plan sits exactly on its budget and must stay visible.
    budget = [r["budget"] for r in runs]
    right.plot(sizes, budget, linestyle="--", color="black", label="budget: pages + ceil(3N/20)")
    right.set(xscale="log", yscale="log", xlabel="policies (N)", ylabel="HTTP requests")
    right.set_title("Requests")
    for axes in (left, right):
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
