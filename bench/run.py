"""`python -m bench.run [--quick] [--sizes N ...]`: measure, then write bench/results/.

Prints progress as it goes; the full run (N = 100, 1,000, 5,000) is meant to finish in
under ten minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import docs, live, live_report, loadspeed, plot, proc, report, scenario

SIZES = (100, 1_000, 5_000)
RESULTS = Path(__file__).parent / "results"
LIVE_RESULTS = RESULTS / "live"


def _say(n: int, started: float) -> scenario.Say:
    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] N={n:,}: {message}", flush=True)

    return say


def measure(sizes: list[int], profile: str = "loopback") -> dict[str, Any]:
    started = time.perf_counter()
    startup = proc.startup()
    print(f"Python start and imports of `plan`: {startup:.2f} s", flush=True)
    runs: list[dict[str, Any]] = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-{n}-") as work:
            if profile == "live":  # apply once, at the smallest N: its reads grow with N
                say = _say(n, started)
                runs.append(live.measure(n, Path(work), say, apply=n == min(sizes)))
            else:
                runs.append(scenario.measure(n, Path(work), _say(n, started)))
    loading = None
    if profile == "live":  # the loader against the one before issue 22, at the largest N
        print("Manifest loading against the loader before issue 22 ...", flush=True)
        loading = loadspeed.measure(loadspeed.BEFORE, max(sizes))
    return {
        "profile": profile,
        "loading": loading,
        "sizes": sizes,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.system()}",
        "startup_seconds": startup,
        "total_seconds": time.perf_counter() - started,
        "runs": runs,
    }


def write(document: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    if document.get("profile") == "live":
        (out / "results.md").write_text(live_report.markdown(document))
        if out == LIVE_RESULTS:  # a partial run must not rewrite the docs or the README
            docs.write_live(document)
        return
    (out / "results.md").write_text(report.markdown(document))
    plot.plot(document, out / "bench.png")
    if out == RESULTS:  # a partial run must not rewrite docs/benchmarks.md
        docs.write_page(document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--profile",
        choices=["loopback", "live"],
        default="loopback",
        help="loopback: the emulator as fast as it goes (Office kinds); live: Graph's latency "
        "and Intune's throttle buckets, Settings Catalog tenants (bench/live.py)",
    )
    parser.add_argument("--quick", action="store_true", help="N = 100 only (a smoke run)")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N", help="tenant sizes")
    parser.add_argument("--out", type=Path, help="results directory (default bench/results)")
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="only re-render the outputs of a results.json"
    )
    args = parser.parse_args(argv)
    if args.render:
        document = json.loads(args.render.read_text())
        sizes = document["sizes"]
    else:
        sizes = args.sizes or ([100] if args.quick else list(SIZES))
        document = measure(sizes, args.profile)
    # A partial run must not overwrite the committed full results.
    live_profile = document.get("profile") == "live"
    full = LIVE_RESULTS if live_profile else RESULTS
    out = args.out or (full if sizes == list(SIZES) else full / "partial")
    write(document, out)
    print(live_report.markdown(document) if live_profile else report.markdown(document))
    print(f"Wrote {out}/: results.md, results.json", end="")
    print("" if live_profile else " and bench.png", end="")
    print(", and the generated sections of the docs." if out == full else ".")
    print(f"Measured in {document['total_seconds']:.0f} s.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
