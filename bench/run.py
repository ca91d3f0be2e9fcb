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

from bench import docs, plot, proc, report, scenario

SIZES = (100, 1_000, 5_000)
RESULTS = Path(__file__).parent / "results"
DOCS = Path(__file__).parent.parent / "docs" / "benchmarks.md"


def _say(n: int, started: float) -> scenario.Say:
    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] N={n:,}: {message}", flush=True)

    return say


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="N = 100 only (a smoke run)")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N", help="tenant sizes")
    parser.add_argument("--out", type=Path, help="results directory (default bench/results)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([100] if args.quick else list(SIZES))
    # A partial run must not overwrite the committed full results.
    args.out = args.out or (RESULTS if sizes == list(SIZES) else RESULTS / "partial")

    started = time.perf_counter()
    startup = proc.startup()
    print(f"Python start and imports of `plan`: {startup:.2f} s", flush=True)
    runs: list[dict[str, Any]] = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-{n}-") as work:
            runs.append(scenario.measure(n, Path(work), _say(n, started)))
    document = {
        "sizes": sizes,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.system()}",
        "startup_seconds": startup,
        "total_seconds": time.perf_counter() - started,
        "runs": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    (args.out / "results.md").write_text(report.markdown(document))
    plot.plot(document, args.out / "bench.png")
    if args.out == RESULTS:  # a scratch --out must not rewrite the README section
        DOCS.write_text(docs.markdown(document))
    print(report.markdown(document))
    print(
        f"Wrote {args.out}/results.md, results.json and bench.png "
        f"in {document['total_seconds']:.0f} s.",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
