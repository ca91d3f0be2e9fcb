"""`python -m bench.loadspeed [--reference REV] [--n 5000]`: manifest loading CPU of this
tree against the loader of git revision REV (default BEFORE: main when issue 22's work
began, the loader it was to make 4x faster),
on the same exported Settings Catalog tenant, best of three runs each, interleaved so a
busy machine slows both alike. The live profile runs it at its largest N; run alone, it
adds its result to bench/results/live/results.json and renders the sections again.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from bench import live_tenant
from bench.emulator import EmulatorProcess
from bench.proc import ROOT

RESULTS = ROOT / "bench" / "results" / "live" / "results.json"
REPEATS = 3
BEFORE = "d91b1885b8399f6972f513f12b23f3bf3d754bad"  # main, 2 Dec 2026, before issue 22
_TIMER = """
import gc, sys, time
sys.path.insert(0, sys.argv[1])
from reconciler.load import manifests
assert manifests.__file__.startswith(sys.argv[1])
gc.collect()
start = time.process_time()
manifests.load([sys.argv[2]])
print(time.process_time() - start)
"""


def _checkout(rev: str, into: Path) -> str:
    """The tree of `rev` extracted into `into`; its commit id."""
    commit = subprocess.run(
        ["git", "rev-parse", rev], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return commit


def _load_cpu(tree: Path, manifests: Path) -> float:
    run = subprocess.run(
        [sys.executable, "-c", _TIMER, str(tree), str(manifests)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
    )
    return float(run.stdout.strip())


def measure(reference: str, n: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as work:
        root = Path(work)
        commit = _checkout(reference, root / "reference")
        seed = root / "seed.json"
        seed.write_text(json.dumps(live_tenant.tenant(n)))
        with EmulatorProcess(seed) as emu:
            subprocess.run(
                [sys.executable, "-m", "reconciler", "export", "--graph-url", emu.base_url,
                 "--out", str(root / "m")],
                check=True, capture_output=True, cwd=ROOT,
            )  # fmt: skip
        ours, theirs = [], []
        for _ in range(REPEATS):
            theirs.append(_load_cpu(root / "reference", root / "m"))
            ours.append(_load_cpu(ROOT, root / "m"))
    return {
        "reference": reference,
        "reference_commit": commit,
        "n": n,
        "repeats": REPEATS,
        "reference_cpu": min(theirs),
        "current_cpu": min(ours),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadspeed", description=__doc__)
    parser.add_argument("--reference", default=BEFORE, metavar="REV")
    parser.add_argument("--n", type=int, default=5_000)
    args = parser.parse_args(argv)
    result = measure(args.reference, args.n)
    from bench import run  # the writer of results.json and its renderings

    document = json.loads(RESULTS.read_text())
    document["loading"] = result
    run.write(document, RESULTS.parent)
    speedup = result["reference_cpu"] / result["current_cpu"]  # type: ignore[operator]
    print(
        f"load CPU at N = {args.n:,}: {result['current_cpu']:.2f} s against "
        f"{result['reference_cpu']:.2f} s at {args.reference}: {speedup:.2f}x faster"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
