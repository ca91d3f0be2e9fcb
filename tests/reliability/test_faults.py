"""Aspect: plan and apply end to end over HTTP while the emulator injects faults: 503s,
throttling storms, added latency and dropped connections (before and after a write lands).

For every round of `plan --out` then `apply PLAN`:
- a plan either succeeds or fails cleanly (exit 1, one `error:` line, no traceback), and
  never plans a create for an object that exists;
- the apply writes nothing its plan did not hold (the emulator's write log, step by step);
- the tenant never holds two policies of one kind with the same displayName;
and within a few rounds the tenant matches the manifests and a fresh plan is empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator
from tests.support.cli import cli_run
from tests.support.tenant import KIND_OF_TYPE as ODATA

from .scenario import seed, write_desired
from .support import (
    assert_clean_failure,
    assert_matches,
    assert_no_duplicates,
    assert_writes_within_plan,
    load_plan,
    policy_ids,
    write_log,
)

# name -> (emulator options, fault counters that must end up non-zero). Apply runs unpaced
# (--write-rate 0), so the client meets the throttling. docs/reliability.md shows this table.
FAULTS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "503s at 20%": ({"fail_rate": 0.2}, ("failed_injected",)),
    "throttling storm (10 writes/s, 40 requests/s)": (
        {"throttle": True, "write_limit": "10/1", "request_limit": "40/1"},
        ("throttled",),
    ),
    "latency 25 ms and 503s at 10%": ({"latency_ms": 25, "fail_rate": 0.1}, ("failed_injected",)),
    "dropped connections at 20%": ({"drop_rate": 0.2}, ("dropped", "dropped_after_apply")),
    "everything at once": (
        {
            "fail_rate": 0.2,
            "drop_rate": 0.2,
            "throttle": True,
            "write_limit": "8/1",
            "latency_ms": 5,
        },
        ("failed_injected", "throttled", "dropped"),
    ),
}
SEEDS = (1, 3)
MAX_ROUNDS = 6


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """Backoff without a Retry-After (after a dropped connection) starts at 0.5 s and
    doubles; tests/graph pins that policy. Here it only makes runs slow, so start small."""
    monkeypatch.setattr("reconciler.fetch.pacing.BACKOFF_BASE", 0.02)


def _creates_of_existing(plan: dict[str, Any], emu: Emulator) -> list[str]:
    existing = {(ODATA[p["@odata.type"]], p["displayName"]) for p in emu.store.policies()}
    return [
        change["address"]
        for change in plan["changes"]
        if change["action"] == "create" and (change["kind"], change["display_name"]) in existing
    ]


COUNTERS = ("failed_injected", "throttled", "dropped", "dropped_after_apply")


def converge(emu: Emulator, root: Path, work: Path) -> dict[str, int]:
    """Plan and apply in rounds until a plan is empty; returns the faults met on the way."""
    seen = dict.fromkeys(("rounds", "plan_failures", "apply_failures", *COUNTERS), 0)

    def count_faults() -> None:
        stats = emu.stats()
        for key in COUNTERS:
            seen[key] += stats[key]
        emu.reset_stats()

    for round_ in range(MAX_ROUNDS):
        seen["rounds"] = round_ + 1
        plan_path = work / f"plan-{round_}.json"
        planned = cli_run(
            "plan", root, "--graph-url", emu.base_url, "--prune", "--scope", "*/*", "--out", plan_path,
            "--detailed-exitcode",
        )  # fmt: skip
        if planned.code == 1:
            assert_clean_failure(planned)
            seen["plan_failures"] += 1
            continue
        assert planned.code in (0, 2), planned.err
        plan = load_plan(plan_path)
        assert _creates_of_existing(plan, emu) == [], "a plan reported an existing object missing"
        if planned.code == 0:
            count_faults()
            return seen
        before = policy_ids(emu)
        count_faults()
        applied = cli_run(
            "apply", plan_path, "--graph-url", emu.base_url, "--state-dir", work / "state",
            "--write-rate", "0",
        )  # fmt: skip
        assert applied.code in (0, 1), applied.err
        assert "Traceback" not in applied.err and "internal error" not in applied.err, applied.err
        seen["apply_failures"] += applied.code
        assert_writes_within_plan(write_log(emu), plan, before)
        assert_no_duplicates(emu)
    raise AssertionError(f"no empty plan after {MAX_ROUNDS} rounds: {seen}")


@pytest.mark.parametrize("random_seed", SEEDS)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_apply_converges_under_faults(make_emulator, tmp_path, fault, random_seed):
    options, expected = FAULTS[fault]
    emu = make_emulator(seed=seed(), random_seed=random_seed, **options)
    root, documents = write_desired(tmp_path / "m")
    seen = converge(emu, root, tmp_path)
    assert all(seen[key] > 0 for key in expected), f"the faults did not bite: {seen}"
    emu.configure(fail_rate=0.0, drop_rate=0.0, throttle=False, latency_ms=0)
    assert_matches(emu, documents)
    assert "Unmanaged C" not in {p["displayName"] for p in emu.store.policies()}
    final = cli_run(
        "plan",
        root,
        "--graph-url",
        emu.base_url,
        "--prune",
        "--scope",
        "*/*",
        "--detailed-exitcode",
    )
    assert final.code == 0, final.out + final.err


# Storms so heavy that reads fail for good (plans only; listed in docs/reliability.md too).
STORMS: dict[str, dict[str, Any]] = {
    "503s at 95%": {"fail_rate": 0.95},
    "dropped connections at 70%": {"drop_rate": 0.7},
}


@pytest.mark.parametrize("storm", list(STORMS))
def test_a_plan_in_a_storm_fails_cleanly_and_never_misses_an_object(make_emulator, tmp_path, storm):
    """Reads that keep failing end the plan with one error line; they are never taken to
    mean that an object is missing."""
    emu = make_emulator(seed=seed(), **STORMS[storm])
    root, _ = write_desired(tmp_path / "m")
    outcomes = []
    for attempt in range(2):
        emu.configure(random_seed=attempt)
        plan_path = tmp_path / f"plan-{attempt}.json"
        planned = cli_run("plan", root, "--graph-url", emu.base_url, "--out", plan_path)
        outcomes.append(planned.code)
        if planned.code == 1:
            assert_clean_failure(planned)
        else:
            assert planned.code == 0, planned.err
            assert _creates_of_existing(load_plan(plan_path), emu) == []
    assert 1 in outcomes, "the storm never made a plan fail; the test proves nothing"
    assert emu.stats()["writes"] == 0
