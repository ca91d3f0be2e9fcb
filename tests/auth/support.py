"""Shared by the end-to-end credential tests: a full CLI flow over every command that
writes files, a long apply, a DEBUG log of it, a search of everything produced for leaked
values, and the claims of a JWT."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.support.cli import Run, run
from tests.support.manifests import policy_doc, write_set
from tests.support.tenant import GROUP_A, POLICIES

TENANT = "contoso.example"
CLIENT_ID = "0a1b2c3d-app-under-test"
SECRET = "Sup3r~Secret.Value-9f8e7d6c"  # distinctive, so any leak is found by grep
ADMIN_TOKEN = "admin-token-for-out-of-band-edits"
# Every token the emulator issues starts with this header ({"alg":"none","typ":"JWT"}).
ISSUED_TOKEN_PREFIX = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."


@contextmanager
def debug_log(path: Path) -> Iterator[None]:
    """Everything logged during the block, at DEBUG, from every library, into `path`."""
    root = logging.getLogger()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


def out_of_band(emulator, display_name: str, body: dict, admin_token: str) -> None:
    target = policies_by_name(emulator)[display_name]
    response = requests.patch(
        f"{emulator.base_url}{POLICIES}/{target['id']}",
        json=body,
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=10,
    )
    assert response.status_code in (200, 204), response.text


def policies_by_name(emulator) -> dict[str, dict]:
    return {p["displayName"]: p for p in emulator.store.snapshot()["clientConfigurations"]}


def manifests(root: Path) -> Path:
    return write_set(
        root / "m",
        policy_doc("a", "Policy A", 1, payload={"setting": 1}, groups=[GROUP_A]),
        policy_doc("b", "Policy B", 2),
    )


def apply_policies(capsys, emulator, root: Path, count: int, *extra: str) -> Run:
    """`apply --auto-approve` of `count` new policies, with `extra` options."""
    docs = [policy_doc(f"p{i}", f"Policy {i}", i + 1) for i in range(count)]
    m = write_set(root / "many", *docs)
    return run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        "--state-dir",
        str(root / "state"),
        *extra,
    )


def claims_of(token: str) -> dict:
    """The payload of a JWT, unverified."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def full_run(capsys, emulator, root: Path, admin_token: str = ADMIN_TOKEN) -> list[Run]:
    """plan --out, apply the plan, drift out of band, apply manifests (backs up what it
    touches), drift again with every report, export. Returns every CLI run."""
    url = ("--graph-url", emulator.base_url)
    m = manifests(root)
    plan_file = root / "plan.json"
    state = ("--state-dir", str(root / "state"), "--audit-log", str(root / "audit.jsonl"))
    runs = [run(capsys, "plan", str(m), *url, "--out", str(plan_file))]
    runs.append(run(capsys, "apply", str(plan_file), *url, *state, "--write-rate", "0"))
    out_of_band(emulator, "Policy A", {"description": "edited in the portal"}, admin_token)
    runs.append(run(capsys, "apply", str(m), *url, *state, "--auto-approve"))
    out_of_band(emulator, "Policy B", {"description": "edited again"}, admin_token)
    reports = [str(root / f"drift.{ext}") for ext in ("json", "md", "xml", "sarif", "txt")]
    runs.append(run(capsys, "drift", str(m), *url, *(x for r in reports for x in ("--report", r))))
    runs.append(run(capsys, "export", *url, "--out", str(root / "exported")))
    assert [r.code for r in runs] == [0, 0, 0, 2, 0], [r.err for r in runs]
    return runs


def leaks(root: Path, runs: list[Run], needles: list[str]) -> list[str]:
    found = []
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) >= 10, files  # plan, audit log, backups, reports, exports, log
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        found += [f"{path.name}: {n[:12]}" for n in needles if n in text]
    for number, result in enumerate(runs):
        found += [f"run {number}: {n[:12]}" for n in needles if n in result.out + result.err]
    return found
