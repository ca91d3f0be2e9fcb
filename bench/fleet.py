"""`python -m bench.fleet [--tenants 50] [--policies 50] [--latency-ms 100]`: fleet drift at
scale against the multi-tenant emulator over https, the tenants side by side against the
same tenants one after another.

Set-up: one emulator process serving N tenants, state kept in a folder; `fleet plan` and
`fleet apply` put P Settings Catalog policies in every tenant (no latency, unpaced); then
the emulator is restarted on that state with `--latency MS` on every request (a live-like
round trip) and `fleet drift` runs twice, `--concurrency 1` and `--concurrency C`, each a
child process whose wall time and peak RSS are measured (bench.proc). Each tenant's report
goes to disk as it finishes, so memory should not grow with N.

Targets (issue 21): concurrent at least 5x faster than one after another; peak RSS under
400 MB. The extrapolation to 1,000 tenants on 10 shards (`extrapolate`) takes the measured
requests and time per tenant and bounds the run by both the concurrency of a shard and the
fleet budget (each of 10 shards at 140 requests/s, 1,400/s together: 70% of Graph's global
per-app limit). Writes bench/results/fleet.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import proc
from bench.emulator import BANNER
from reconciler.emulator.certificate import self_signed

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "fleet.json"
APP, SECRET = "bench-fleet-app", "bench-fleet-secret"
ROLES = ("DeviceManagementConfiguration.ReadWrite.All", "Group.Read.All")
SETTINGS = ROOT / "manifests" / "settings" / "office-macros.json"
SPEEDUP_TARGET, RSS_TARGET_MB = 5.0, 400.0
GLOBAL_RATE, BUDGET = 2000.0, 0.7  # fleet.budget: Graph's global per-app limit, the share


@dataclass(frozen=True)
class Extrapolation:
    tenants: int
    shards: int
    concurrency: int
    requests: int  # every tenant's drift together
    by_concurrency_s: float  # each shard's tenants, C at a time, at the measured pace
    by_budget_s: float  # every request at the fleet's 1,400/s
    estimate_s: float  # the larger of the two
    peak_rate: float  # requests/s of all shards together at that estimate


def extrapolate(
    *, seconds_per_tenant: float, requests_per_tenant: float, concurrency: int,
    tenants: int = 1000, shards: int = 10,
) -> Extrapolation:  # fmt: skip
    """A fleet drift of `tenants` on `shards` runners at once, each `concurrency` wide."""
    per_shard = math.ceil(tenants / shards)
    by_concurrency = math.ceil(per_shard / concurrency) * seconds_per_tenant
    requests = round(tenants * requests_per_tenant)
    by_budget = requests / (GLOBAL_RATE * BUDGET)
    estimate = max(by_concurrency, by_budget)
    return Extrapolation(
        tenants, shards, concurrency, requests, round(by_concurrency, 1), round(by_budget, 1),
        round(estimate, 1), round(requests / estimate, 1) if estimate else 0.0,
    )  # fmt: skip


class _Emulator:
    def __init__(self, argv: list[str], cert: Path) -> None:
        self.cert = cert
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reconciler.emulator", *argv],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith(BANNER):
            self.stop()
            raise RuntimeError(f"the emulator did not start ({line!r})")
        self.base_url = line.removeprefix(BANNER)
        self.root_url = self.base_url.removesuffix("/beta")
        self.tenant_ids: list[str] = []

    def read_ids(self, count: int) -> list[str]:
        assert self.process.stdout is not None
        for _ in range(count):
            self.tenant_ids.append(self.process.stdout.readline().split()[-1])
        return self.tenant_ids

    def requests(self) -> tuple[int, int]:
        """(HTTP requests, request units as Graph counts them: each `$batch` item one, the
        envelope too, which overcounts a little)."""
        import requests

        reply = requests.get(f"{self.root_url}/_emulator/stats", timeout=30, verify=str(self.cert))
        reply.raise_for_status()
        stats = reply.json()
        return int(stats["total"]), int(stats["total"]) + int(stats["batch_items"])

    def reset(self) -> None:
        import requests

        url = f"{self.root_url}/_emulator/reset"
        requests.post(url, timeout=30, verify=str(self.cert)).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _fleet(folder: Path, ids: list[str], policies: int) -> Path:
    baseline = folder / "baseline"
    (baseline / "settings").mkdir(parents=True)
    shutil.copyfile(SETTINGS, baseline / "settings" / "office-macros.json")
    docs = [
        "apiVersion: reconciler/v1\nkind: SettingsCatalogPolicy\n"
        f"metadata: {{name: macros-{n:03d}}}\nspec:\n  name: Bench macros {n:03d}\n"
        "  description: for ${var.orgName}\n  platforms: windows10\n  technologies: mdm\n"
        "  settings: {file: settings/office-macros.json}\n"
        for n in range(policies)
    ]
    (baseline / "policies.yaml").write_text("---\n".join(docs), encoding="utf-8")
    tenants = "".join(
        f"    - name: t{i:04d}\n      tenantId: {tid}\n      values: {{orgName: Tenant {i}}}\n"
        for i, tid in enumerate(ids)
    )
    fleet = folder / "fleet.yaml"
    fleet.write_text(
        "apiVersion: reconciler/v1\nkind: Fleet\nmetadata: {name: bench}\nspec:\n"
        "  baseline: [baseline/]\n  variables:\n    orgName: {type: string}\n"
        f"  tenants:\n{tenants}",
        encoding="utf-8",
    )
    return fleet


def _emulator_argv(tenants: int, cert: Path, key: Path, state: Path, *extra: str) -> list[str]:
    roles = [a for role in ROLES for a in ("--role", role)]
    return [
        "--port", "0", "--tenants", str(tenants), "--client-id", APP, "--client-secret", SECRET,
        *roles, "--tls-cert", str(cert), "--tls-key", str(key), "--state", str(state), *extra,
    ]  # fmt: skip


def run(tenants: int, policies: int, latency_ms: int, concurrency: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    try:
        cert, key = self_signed(work)
        state = work / "state"
        env = {
            "AZURE_CLIENT_ID": APP,
            "AZURE_CLIENT_SECRET": SECRET,
            "REQUESTS_CA_BUNDLE": str(cert),
        }
        emulator = _Emulator(_emulator_argv(tenants, cert, key, state), cert)
        try:
            ids = emulator.read_ids(tenants)
            fleet = _fleet(work, ids, policies)
            env["AZURE_AUTHORITY_HOST"] = emulator.root_url
            graph = ["--graph-url", emulator.base_url, "--auth", "env"]
            proc.expect(
                proc.reconciler(["fleet", "plan", str(fleet), "--out", "plans", *graph,
                                 "--concurrency", "8"], cwd=work, env=env),
                {2}, "fleet plan",
            )  # fmt: skip
            proc.expect(
                proc.reconciler(["fleet", "apply", "plans", *graph, "--concurrency", "8",
                                 "--write-rate", "0", "--state-dir", "st"], cwd=work, env=env),
                {0}, "fleet apply",
            )  # fmt: skip
        finally:
            emulator.stop()
        emulator = _Emulator(
            _emulator_argv(tenants, cert, key, state, "--latency", str(latency_ms)), cert
        )
        emulator.read_ids(tenants)
        try:
            env["AZURE_AUTHORITY_HOST"] = emulator.root_url
            graph = ["--graph-url", emulator.base_url, "--auth", "env"]
            runs: dict[str, Any] = {}
            for label, width in (("one after another", 1), ("side by side", concurrency)):
                emulator.reset()
                found = proc.expect(
                    proc.reconciler(["fleet", "drift", str(fleet), *graph, "--concurrency",
                                     str(width), "--out", f"drift-{width}"], cwd=work, env=env),
                    {0}, f"fleet drift --concurrency {width}",
                )  # fmt: skip
                sent, units = emulator.requests()
                runs[label] = {
                    "concurrency": width,
                    "wall_s": round(found.wall, 2),
                    "cpu_s": round(found.cpu, 2),
                    "peak_rss_mb": round(found.rss_mb, 1),
                    "requests": sent,
                    "request_units": units,
                }
        finally:
            emulator.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    serial, parallel = runs["one after another"], runs["side by side"]
    speedup = serial["wall_s"] / parallel["wall_s"]
    per_tenant_s = serial["wall_s"] / tenants  # one tenant's drift at this latency
    requests_per_tenant = parallel["request_units"] / tenants  # tokens and discovery included
    projection = extrapolate(
        seconds_per_tenant=per_tenant_s,
        requests_per_tenant=requests_per_tenant,
        concurrency=concurrency,
    )
    return {
        "tenants": tenants,
        "policies_per_tenant": policies,
        "latency_ms": latency_ms,
        "runs": runs,
        "speedup": round(speedup, 2),
        "targets": {
            f"side by side >= {SPEEDUP_TARGET:g}x faster": speedup >= SPEEDUP_TARGET,
            f"peak RSS < {RSS_TARGET_MB:g} MB": max(r["peak_rss_mb"] for r in runs.values())
            < RSS_TARGET_MB,
        },
        "extrapolation": asdict(projection),
        "cpus": os.cpu_count(),
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"Fleet drift of {result['tenants']} tenants x {result['policies_per_tenant']} Settings "
        f"Catalog policies, {result['latency_ms']} ms added to every request:",
        "",
        "| run | concurrency | wall | CPU | peak RSS | HTTP requests | request units |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, found in result["runs"].items():
        lines.append(
            f"| {label} | {found['concurrency']} | {found['wall_s']} s | {found['cpu_s']} s | "
            f"{found['peak_rss_mb']} MB | {found['requests']:,} | {found['request_units']:,} |"
        )
    x = result["extrapolation"]
    lines += [
        "",
        f"Side by side: {result['speedup']}x faster. Targets: "
        + "; ".join(f"{k}: {'yes' if v else 'no'}" for k, v in result["targets"].items())
        + ".",
        "",
        f"Extrapolated to {x['tenants']:,} tenants on {x['shards']} shards ({x['concurrency']} "
        f"at a time each): {x['requests']:,} request units; {x['by_concurrency_s']} s at the measured "
        f"pace per tenant, {x['by_budget_s']} s at the fleet budget (1,400 requests/s); so about "
        f"{x['estimate_s']} s, peaking at {x['peak_rate']} requests/s for all shards together, "
        "under Graph's 2,000 per second per app.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet", description=__doc__)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--policies", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    result = run(args.tenants, args.policies, args.latency_ms, args.concurrency)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(result), end="")
    return 0 if all(result["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
