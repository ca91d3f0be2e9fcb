"""`make run`: start the embedded Graph emulator with a demo tenant, then plan and apply.

The demo tenant (`examples/demo/tenant.json`, the emulator's seed format) already holds one
of the example policies (with a drifted description and payload) and one legacy policy no
manifest claims, so the plan shows an update, creates and an unmanaged object; the second
plan shows the tenant converged. The demo itself knows no kind: it seeds what the file says.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from reconciler import cli
from reconciler.emulator import running_emulator

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"


def demo_tenant(folder: Path = DEMO) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((folder / "tenant.json").read_text(encoding="utf-8"))
    return document


def _step(title: str, argv: list[str], expected: set[int]) -> None:
    print(f"\n$ reconciler {' '.join(argv)}\n", flush=True)
    code = cli.main(argv)
    if code not in expected:
        print(f"demo: step '{title}' exited {code}", file=sys.stderr)
        sys.exit(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reconciler.cli.demo")
    parser.add_argument("manifests", nargs="?", default="manifests")
    parser.add_argument("--demo", type=Path, default=DEMO, help="folder holding tenant.json")
    args = parser.parse_args(argv)
    with (
        running_emulator(seed=demo_tenant(args.demo)) as emulator,
        tempfile.TemporaryDirectory() as tmp,
    ):
        url = emulator.base_url
        print(f"Graph emulator listening on {url} (the demo tenant of {args.demo})")
        plan_path = str(Path(tmp) / "demo-plan.json")
        _step("validate", ["validate", args.manifests], {0})
        _step("plan", ["plan", args.manifests, "--graph-url", url, "--out", plan_path], {0})
        _step(
            "apply",
            ["apply", plan_path, "--graph-url", url, "--state-dir", str(Path(tmp) / "state")],
            {0},
        )
        _step(
            "plan again",
            ["plan", args.manifests, "--graph-url", url, "--detailed-exitcode"],
            {0},
        )
    print("\nDemo complete: planned, applied, and the tenant now matches manifests/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
