"""`python -m bench.startup [--repeats N]`: how long `reconciler --version` and the offline
`validate manifests` take through the installed console script, and what they import.

Targets (issue 20): `--version` under 0.2 s, `validate` of the demo set under 0.5 s, neither
importing requests. Each run is a fresh process (the best of N, as the machine is shared);
the imports come from one more run with `-X importtime`. Writes bench/results/startup.json
and prints a Markdown table. `make bench` runs it after `bench.run`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "startup.json"
COMMANDS = {"--version": (["--version"], 0.2), "validate": (["validate", "manifests"], 0.5)}
HTTP_STACK = ("requests", "urllib3", "azure.identity")


def _console_script() -> list[str]:
    """The `reconciler` script beside this Python (what a user runs); else `-m reconciler`."""
    script = Path(sys.executable).with_name("reconciler.exe" if os.name == "nt" else "reconciler")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reconciler"]


def _best(argv: list[str], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def _imports(args: list[str]) -> list[str]:
    """Top-level modules of the HTTP stack that the command imported (-X importtime)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reconciler", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    return [m for m in HTTP_STACK if m in names]


def measure(repeats: int) -> dict[str, Any]:
    script = _console_script()
    rows = []
    for args, limit in COMMANDS.values():
        seconds = _best([*script, *args], repeats)
        rows.append(
            {
                "command": f"reconciler {' '.join(args)}",
                "seconds": round(seconds, 3),
                "limit_seconds": limit,
                "met": seconds <= limit,
                "http_stack_imported": _imports(args),
            }
        )
    runner = "reconciler" if len(script) == 1 else "python -m reconciler"
    return {"repeats": repeats, "runner": runner, "commands": rows}


def markdown(document: dict[str, Any]) -> str:
    lines = [
        f"Start-up through `{document['runner']}`, best of {document['repeats']} fresh processes:",
        "",
        "| command | wall time | target | met | HTTP stack imported |",
        "|---|---:|---:|---|---|",
    ]
    for row in document["commands"]:
        imported = ", ".join(row["http_stack_imported"]) or "none"
        lines.append(
            f"| `{row['command']}` | {row['seconds']:.3f} s | < {row['limit_seconds']} s "
            f"| {'yes' if row['met'] else '**no**'} | {imported} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    document = measure(args.repeats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(markdown(document), end="")
    print(f"Wrote {args.out}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
