"""Shared pieces of the end-to-end tests: manifest writing, CLI runs, raw emulator access."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from reconciler import cli
from reconciler.emulator import Emulator

GROUP_A = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
GROUP_B = "11111111-2222-4333-8444-555555555555"
# Tests against an unthrottled emulator need no client-side pacing.
UNPACED = ("--write-rate", "0")
SECURITY = "WindowsOfficeClientSecurityConfiguration"
CLIENT = "WindowsOfficeClientConfiguration"
POLICIES = "/officeConfiguration/clientConfigurations"


def policy_doc(name: str, display: str, priority: int, *, kind: str = SECURITY,
               description: str | None = "managed", payload: Any = None,
               groups: list[str] | None = None, extra_meta: str = "") -> str:
    lines = [
        "apiVersion: reconciler/v1",
        f"kind: {kind}",
        "metadata:",
        f"  name: {name}",
    ]
    if extra_meta:
        lines.append(extra_meta)
    lines += ["spec:", f"  displayName: {json.dumps(display)}", f"  priority: {priority}"]
    if description is not None:
        lines.append(f"  description: {json.dumps(description)}")
    if payload is not None:
        lines.append(f"  policyPayload: {{inline: {json.dumps(payload)}}}")
    if groups == []:
        lines.append("  assignments: []")
    elif groups is not None:
        lines.append("  assignments:")
        lines += [f"    - groupId: {g}" for g in groups]
    return "\n".join(lines) + "\n"


def write_set(root: Path, *docs: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "policies.yaml").write_text("---\n".join(docs), encoding="utf-8")
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(capsys, *argv: str) -> Run:
    """The CLI in-process (fast); output captured."""
    capsys.readouterr()
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def run_process(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None,
                timeout: float = 120) -> Run:
    """The CLI as a real process, for exit codes, tracebacks and signals."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "reconciler", *argv], capture_output=True,
                          text=True, env=full_env, cwd=cwd, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def raw(emulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    """Talk to the emulator directly, as an out-of-band admin would (not via our client)."""
    return requests.request(method, emulator.base_url + path, timeout=10, **kwargs)


def live_policies(emulator) -> list[dict[str, Any]]:
    items, url = [], emulator.base_url + POLICIES
    while url:
        body = requests.get(url, timeout=10).json()
        items += body["value"]
        url = body.get("@odata.nextLink")
    return items


def by_name(emulator) -> dict[str, dict[str, Any]]:
    policies = live_policies(emulator)
    names = [p["displayName"] for p in policies]
    assert len(names) == len(set(names)), f"duplicates in tenant: {names}"
    return {p["displayName"]: p for p in policies}


def writes(emulator) -> int:
    return int(emulator.stats()["writes"])


def settle(emu: Emulator) -> None:
    """Wait until the emulator has finished the requests the dead process left in flight
    (each write is counted on arrival and logged when done), as Graph would."""
    quiet = 0
    deadline = time.monotonic() + 10
    while quiet < 3 and time.monotonic() < deadline:
        stats = emu.stats()
        quiet = quiet + 1 if stats["writes"] == len(stats["write_log"]) else 0
        time.sleep(0.01)
