"""`make run`: start the embedded Graph emulator with a demo tenant, plan and apply the
example manifests, then show a change made "in the portal" caught by drift.

The demo tenant (`examples/demo/tenant.json`, the emulator's seed format) already holds some
of the example policies, drifted, a legacy policy no manifest claims (inside the set's
scope), another team's Settings Catalog policy (outside it) and a policy made from a
template (never touched), so the plan shows updates, creates and both kinds of unclaimed
objects; the second plan shows the tenant converged. Then `portal-edits.json`, plain Graph
requests sent as an admin in the portal would, changes a setting, and `drift` names it.
The demo itself knows no kind: it seeds and sends what the files say.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from reconciler import cli
from reconciler.emulator import running_emulator

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"


def demo_tenant(folder: Path = DEMO) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((folder / "tenant.json").read_text(encoding="utf-8"))
    return document


def portal_edits(emulator_url: str, folder: Path = DEMO) -> None:
    """Send `portal-edits.json` to the emulator with plain HTTP, as the portal would."""
    edits = json.loads((folder / "portal-edits.json").read_text(encoding="utf-8"))
    for edit in edits:
        print(f"\n# In the portal: {edit['note']}", flush=True)
        request = urllib.request.Request(
            emulator_url + edit["path"],
            data=json.dumps(edit["body"]).encode("utf-8"),
            method=edit["method"],
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (loopback)
            if answer.status >= 300:
                raise SystemExit(f"demo: the portal edit answered HTTP {answer.status}")


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
        portal_edits(url, args.demo)
        _step("drift", ["drift", args.manifests, "--graph-url", url], {2})
    print(
        "\nDemo complete: planned, applied, the tenant matched manifests/, and drift caught "
        "the portal changes (exit 2). `reconciler plan` would repair each with one write."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
