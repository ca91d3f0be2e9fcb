"""The `live` profile: what a plan costs against Graph's real costs, as far as an emulator
can stand in for them (issue 22). Everything here is an assumption, stated:

- each top-level request takes 60 ms (`--latency 60`), a `$batch` 60 ms plus 10 ms per
  item (`--batch-item-latency 10`: Graph runs items side by side, not for free);
- Intune's documented buckets are enforced (`--throttle`: 1,000 requests of any method and
  100 writes per 20 s per app, twice that per tenant, each `$batch` item counted);
- every measured read starts with the buckets drained (`/_emulator/reset` with `drain`),
  as right after seeding a tenant or after another tool's burst.

Only ratios mean anything: live Graph's latency varies from tens to hundreds of ms.
The tenant is seeded with `--seed`, never through throttled writes; manifests come from an
`export` against a second, unthrottled emulator with the same seed.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import inprocess, live_readers, live_tenant, proc, scenario
from bench.emulator import EmulatorProcess

LATENCY_MS = 60
BATCH_ITEM_MS = 10
REQUESTS = (1000, 20.0)  # per app: any method, $batch items counted
WRITES = (100, 20.0)
LIVE = ["--throttle", "--latency", str(LATENCY_MS), "--batch-item-latency", str(BATCH_ITEM_MS)]
NAIVE_UP_TO = 1_000  # the naive reader is measured up to here and extrapolated beyond
CHANGED_SHARE = 0.01  # incremental drift: 1% of the policies edited in the portal
APPLY_POLICIES = 100  # drifted policies apply puts back (one PUT each), at the smallest N
BUDGET = "1"  # the bench is the tenant's only client: the plan may use the whole bucket

Say = Callable[[str], None]


def request_rate() -> float:
    return REQUESTS[0] / REQUESTS[1]


def pages(n: int) -> int:
    return max(1, math.ceil(n / live_readers.PAGE))


def floor_seconds(units: int) -> float:
    """The least time `units` request units take under the bucket, starting drained."""
    return units / request_rate()


def units_of(stats: dict[str, Any]) -> int:
    """Request units as Graph counts them: top-level requests but the `$batch` envelopes,
    plus every `$batch` item."""
    envelopes = stats["by_route"].get("POST /$batch", 0)
    return int(stats["total"] - envelopes + stats["batch_items"])


def _drain(emu: EmulatorProcess) -> None:
    emu.session.post(f"{emu.root_url}/_emulator/reset", json={"drain": True}, timeout=30)


def _command(
    emu: EmulatorProcess, args: list[str], work: Path, codes: set[int]
) -> tuple[proc.Run, dict[str, Any]]:
    _drain(emu)
    run = proc.expect(proc.reconciler(args, cwd=work), codes, f"reconciler {args[0]}")
    stats = emu.stats()
    record = {
        "wall": run.wall,
        "cpu": run.cpu,
        "rss_mb": run.rss_mb,
        "requests": stats["total"],
        "units": units_of(stats),
        "throttled": stats["throttled"],
        "writes": stats["writes"],
    }
    return run, record


def _reader(emu: EmulatorProcess, read: Callable[[str], live_readers.ReadRun]) -> dict[str, Any]:
    _drain(emu)
    run = read(emu.base_url)
    stats = emu.stats()
    return {**asdict(run), "units": units_of(stats), "requests": stats["total"]}


def _edit(emu: EmulatorProcess, indexes: list[int]) -> None:
    """Portal-style PUTs of `indexes`, one after another, waiting out any 429."""
    for index in indexes:
        url = f"{emu.base_url}{live_tenant.COLLECTION}/{live_tenant.policy_id(index)}"
        while True:
            reply = emu.session.put(url, json=live_tenant.edit(index), timeout=60)
            if reply.status_code != 429:
                break
            time.sleep(float(reply.headers.get("Retry-After", "1")))
        if reply.status_code != 204:
            raise RuntimeError(f"the edit of policy {index} answered {reply.status_code}")


def spread(n: int, count: int) -> list[int]:
    """`count` policy indexes spread evenly over the tenant."""
    return sorted({math.floor(i * n / count) for i in range(count)})


def _drift(emu: EmulatorProcess, manifests: Path, cache: Path, work: Path) -> dict[str, Any]:
    args = ["drift", str(manifests), "--graph-url", emu.base_url, "--format", "json"]
    args += ["--cache-dir", str(cache), "--refresh", "incremental", "--budget", BUDGET]
    run, record = _command(emu, args, work, {0, 2})
    body = json.loads(run.stdout)
    record["read_units"] = body["read_units"]
    record["drifted"] = sum(r["status"] == "drifted" for r in body["resources"])
    return record


def export(seed_file: Path, manifests: Path, work: Path) -> dict[str, Any]:
    with EmulatorProcess(seed_file) as fast:
        args = ["export", "--graph-url", fast.base_url, "--out", str(manifests)]
        run = proc.expect(proc.reconciler(args, cwd=work), {0}, "reconciler export")
        # CPU phases in this process, without the live costs: load, read, make_plan.
        phases = inprocess.measure(manifests, fast.base_url)
    return {"wall": run.wall, "rss_mb": run.rss_mb, "phases": asdict(phases)}


def plan_and_read(n: int, work: Path, seed_file: Path, say: Say) -> dict[str, Any]:
    manifests = work / "manifests"
    result: dict[str, Any] = {"export": export(seed_file, manifests, work)}
    say(f"export {result['export']['wall']:.1f} s (unthrottled emulator)")
    with EmulatorProcess(seed_file, *LIVE) as emu:
        url = emu.base_url
        plan = ["plan", str(manifests), "--graph-url", url, "--detailed-exitcode"]
        plan += ["--budget", BUDGET, "--format", "json", "--out", str(work / "plan.json")]
        run, record = _command(emu, [*plan, "--cache-dir", str(work / "plan-cache")], work, {0})
        record["read_units"] = json.loads(run.stdout)["cost"]["read_units"]
        result["plan"] = record
        say(f"plan {record['wall']:.1f} s, {record['units']} units, {record['throttled']} 429s")
        result["peer"] = _reader(emu, live_readers.peer)
        say(
            f"peer-style $batch read {result['peer']['wall']:.1f} s, {result['peer']['units']} units"
        )
        if n <= NAIVE_UP_TO:
            result["naive"] = _reader(emu, live_readers.naive)
            say(f"naive read {result['naive']['wall']:.1f} s, {result['naive']['units']} units")
        cache = work / "drift-cache"
        result["drift_full"] = _drift(emu, manifests, cache, work)
        say(f"drift, full read {result['drift_full']['wall']:.1f} s")
        changed = spread(n, max(1, round(n * CHANGED_SHARE)))
        _edit(emu, changed)
        result["drift_incremental"] = _drift(emu, manifests, cache, work)
        result["drift_incremental"]["changed"] = len(changed)
        say(
            f"drift, incremental with {len(changed)} changed "
            f"{result['drift_incremental']['wall']:.1f} s, "
            f"{result['drift_incremental']['units']} units"
        )
    return result


def apply_live(n: int, work: Path, seed: dict[str, Any], say: Say) -> dict[str, Any]:
    """`apply` of APPLY_POLICIES drifted policies back (one PUT each) on the live profile,
    paced at the documented write rate; the write phase against the write floor."""
    count = min(n, APPLY_POLICIES)
    drifted = json.loads(json.dumps(seed))
    for index in spread(n, count):
        entry = drifted["configurationPolicies"][index]
        entry["settings"] = live_tenant.edit(index)["settings"]
    drifted_file = work / "drifted-seed.json"
    drifted_file.write_text(json.dumps(drifted))
    plan_file, state = work / "apply-plan.json", work / "state"
    rate = WRITES[0] / WRITES[1]
    with EmulatorProcess(drifted_file, *LIVE) as emu:
        url = emu.base_url
        plan = ["plan", str(work / "manifests"), "--graph-url", url, "--out", str(plan_file)]
        proc.expect(proc.reconciler(plan, cwd=work), {0}, "reconciler plan (apply)")
        steps = sum(len(c["steps"]) for c in json.loads(plan_file.read_text())["plan"]["changes"])
        args = ["apply", str(plan_file), "--graph-url", url, "--write-rate", f"{rate:g}"]
        args += ["--budget", BUDGET, "--state-dir", str(state)]
        emu.reset_stats()  # not drained: seeding wrote nothing, the write bucket is full
        run = proc.expect(proc.reconciler(args, cwd=work), {0}, "reconciler apply")
        stats = emu.stats()
    record = {
        "wall": run.wall,
        "rss_mb": run.rss_mb,
        "planned_writes": steps,
        "writes": stats["writes"],
        "throttled": stats["throttled"],
        "write_rate": rate,
        "write_phase": scenario._write_phase(state),
        "write_floor": steps / rate,
    }
    say(f"apply of {steps} writes {run.wall:.1f} s, {stats['throttled']} answered 429")
    return record


def measure(n: int, work: Path, say: Say, *, apply: bool) -> dict[str, Any]:
    seed = live_tenant.tenant(n)
    seed_file = work / "seed.json"
    seed_file.write_text(json.dumps(seed))
    result: dict[str, Any] = {
        "n": n,
        "pages": pages(n),
        "definitions": len(live_tenant.DEFINITIONS),
    }
    result.update(plan_and_read(n, work, seed_file, say))
    if apply:
        result["apply"] = apply_live(n, work, seed, say)
    return result
