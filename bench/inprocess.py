"""Phases of a plan timed inside this process: manifest load, tenant read, diff and planning.

Only `make_plan` is the "diff and planning CPU" of the target: it takes values and returns a
value, so `time.process_time` around it measures no HTTP and no parsing.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reconciler.engine import planner
from reconciler.fetch.client import GraphClient
from reconciler.fetch.tenant import read_tenant
from reconciler.load import manifests
from reconciler.values.desired import Desired
from reconciler.values.live import Live

REPEATS = 3
MIN_SECONDS = 1.0  # small tenants plan in milliseconds: repeat until timer noise is small


@dataclass(frozen=True)
class Phases:
    load_cpu: float  # seconds to read and validate the manifests
    read_wall: float  # seconds to read the tenant (HTTP, emulator in another process)
    read_cpu: float
    plan_cpu: float  # best of REPEATS runs of make_plan
    changes: int


def _timed_plan(desired: Desired, live: Live) -> tuple[float, int]:
    best, changes, spent, runs = float("inf"), 0, 0.0, 0
    while runs < REPEATS or spent < MIN_SECONDS:
        runs += 1
        gc.collect()  # garbage of the previous run must not be billed to this one
        start = time.process_time()
        plan = planner.make_plan(desired, live, now=datetime.now(UTC))
        took = time.process_time() - start
        best, spent = min(best, took), spent + took
        changes = len(plan.changes)
    return best, changes


def measure(manifest_dir: Path, graph_url: str) -> Phases:
    start = time.process_time()
    desired = manifests.load([str(manifest_dir)])
    load_cpu = time.process_time() - start
    with GraphClient(graph_url) as client:
        wall, cpu = time.perf_counter(), time.process_time()
        live = read_tenant(client)
        read_wall, read_cpu = time.perf_counter() - wall, time.process_time() - cpu
    plan_cpu, changes = _timed_plan(desired, live)
    return Phases(load_cpu, read_wall, read_cpu, plan_cpu, changes)
