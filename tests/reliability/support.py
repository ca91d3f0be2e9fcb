"""Shared pieces of the reliability suite: in-process CLI runs, clean-failure checks, the
emulator's write log against a saved plan, and a tenant view independent of our client.

Nothing here uses the project's Graph client or planner to judge the project: the tenant is
read from the emulator's store, and plan steps are read from the saved JSON file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reconciler.emulator import Emulator
from tests.support.cli import Run
from tests.support.tenant import KIND_OF_TYPE

_PLACEHOLDER = re.compile(r"\{id:[^}]*\}")
_GUID = "[0-9a-fA-F-]{36}"


@contextlib.contextmanager
def environ(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def assert_clean_failure(result: Run) -> None:
    """Exit 1 with a short, readable error: every stderr line is `error: ...` (or its
    `hint: ...`), no traceback, and not the catch-all for bugs."""
    assert result.code == 1, (result.code, result.out[-2000:], result.err[-2000:])
    assert "Traceback" not in result.err + result.out, result.err
    assert "internal error" not in result.err, result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: "), result.err
    assert all(line.startswith(("error: ", "hint: ")) for line in lines), result.err
    assert all(len(line) < 2000 for line in lines), "an error line is not short"


def write_log(emu: Emulator) -> list[dict[str, Any]]:
    return list(emu.stats()["write_log"])


def load_plan(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8"))["plan"])


def plan_steps(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for change in plan["changes"] for step in change["steps"]]


def assert_writes_within_plan(
    log: list[dict[str, Any]], plan: dict[str, Any], ids_before: set[str]
) -> None:
    """Every write the emulator saw is one of the plan's steps: same method, same path, with
    a placeholder standing only for an object the apply created (an id unknown before).
    Each step may be sent more than once (retries), but a step for an object that existed
    before may not be aimed anywhere else."""
    patterns: list[tuple[str, re.Pattern[str], bool]] = []
    for step in plan_steps(plan):
        parts = _PLACEHOLDER.split(step["path"])
        source = f"({_GUID})".join(re.escape(p) for p in parts)
        patterns.append((step["method"], re.compile(source + r"\Z"), len(parts) > 1))
    for entry in log:
        matched = False
        for method, regex, has_placeholder in patterns:
            found = regex.match(entry["path"]) if method == entry["method"] else None
            if found is None:
                continue
            if has_placeholder and any(g.lower() in ids_before for g in found.groups()):
                continue  # a placeholder must stand for a new object
            matched = True
            break
        assert matched, f"write outside the plan: {entry} (plan steps: {plan_steps(plan)})"


def policy_ids(emu: Emulator) -> set[str]:
    return {p["id"].lower() for p in emu.store.policies()}


def assert_no_duplicates(emu: Emulator) -> None:
    names = Counter((p["@odata.type"], p["displayName"]) for p in emu.store.policies())
    dupes = [name for name, count in names.items() if count > 1]
    assert not dupes, f"duplicate displayName in the tenant: {dupes}"


def _payload(emu: Emulator, policy_id: str, name: str) -> Any:
    data = emu.store.read_payload(policy_id, name)
    if data is None or data == b"":
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"bytes": data.hex()}


def tenant_view(emu: Emulator) -> dict[str, dict[str, Any]]:
    """Every policy by displayName, as a manifest would declare it, read from the store."""
    view = {}
    for policy in emu.store.policies():
        view[policy["displayName"]] = {
            "kind": KIND_OF_TYPE[policy["@odata.type"]],
            "id": policy["id"],
            "description": policy["description"],
            "priority": policy["priority"],
            "policyPayload": _payload(emu, policy["id"], "policyPayload"),
            "userPreferencePayload": _payload(emu, policy["id"], "userPreferencePayload"),
            "assignments": sorted(a["target"]["groupId"].lower() for a in policy["assignments"]),
        }
    return view


def assert_matches(emu: Emulator, documents: list[dict[str, Any]]) -> None:
    """The tenant holds every declared field of every document, read from the store."""
    view = tenant_view(emu)
    for doc in documents:
        spec = doc["spec"]
        live = view.get(spec["displayName"])
        assert live is not None, f"{spec['displayName']!r} missing from the tenant"
        assert live["kind"] == doc["kind"]
        for key, value in spec.items():
            if key == "displayName":
                continue
            if key in ("policyPayload", "userPreferencePayload") and value is not None:
                value = value["inline"]
            if key == "assignments":
                value = sorted(g["groupId"].lower() for g in value or [])
            assert _same_json(live[key], value), (spec["displayName"], key, live[key], value)


def _same_json(a: Any, b: Any) -> bool:
    """Equality as JSON means it: true is not 1, 1 is not 1.0 only if the JSON differs."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
