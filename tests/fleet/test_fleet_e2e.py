"""Issue 21's "done when", end to end: the CLI as real processes against one multi-tenant
emulator over https, five tenants with overlays, exclusions, variables and per-tenant
groups.

- fleet plan (exit 2) -> fleet apply, one tenant's secret wrong: that tenant fails alone
  with one clear line (not the secret), exit 1, the other four applied and recorded ->
  the same apply again with the secret right applies only that tenant -> fleet plan is
  empty (exit 0); what landed is each tenant's own (overlay, exclusion, variables, its own
  Helpdesk group);
- a portal change in one tenant is fleet drift naming that tenant (exit 2), in JSON, JUnit
  (one suite per tenant) and SARIF (results carrying the tenant); the HTML page is checked
  in test_html_report;
- two shards (`--shard 0/2`, `1/2`) merged equal one unsharded run, for plans and drift, and
  a missing shard exits 1 (these runs in-process, to keep the suite quick).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from tests.support.cli import run, run_process

from .support import (
    BY_NAME,
    MACROS,
    PILOT,
    SECRET,
    TENANTS,
    policies,
    portal_edit,
    read_json,
    secret_env,
    write_fleet,
)


def fleet(*argv: str | Path, env: dict[str, str], cwd: Path):
    return run_process("fleet", *argv, env=env, cwd=cwd, timeout=120)


def test_plan_apply_plan_with_one_wrong_secret_failing_alone(fleet_emulator, tmp_path) -> None:
    emulator = fleet_emulator()
    write_fleet(tmp_path, extra={"wingtip": "environment: {AZURE_CLIENT_SECRET: WINGTIP_SECRET}"})
    work = tmp_path / "fleet"
    graph = ("--graph-url", emulator.base_url, "--auth", "env")
    env = secret_env(emulator, WINGTIP_SECRET=SECRET)

    planned = fleet("plan", "fleet.yaml", "--out", "plans", *graph, env=env, cwd=work)
    assert planned.code == 2, planned.err
    index = read_json(work / "plans" / "fleet-plan.json")
    assert [t["name"] for t in index["tenants"]] == [t.name for t in TENANTS]
    assert index["summary"]["changes"] == 5 and index["summary"]["create"] == 1 + 4 * 2
    assert {t["name"]: t["tenant_id"] for t in index["tenants"]} == {
        t.name: t.tenant_id for t in TENANTS
    }
    assert all(len(t["checksum"]) == 64 and t["graph_url"] for t in index["tenants"])
    shown = run_process("show", "plans", cwd=work)
    assert shown.code == 0, shown.err
    sections = [line for line in shown.out.splitlines() if line.startswith("== ")]
    assert [s.split()[1] for s in sections] == [t.name for t in TENANTS]

    wrong = {**env, "WINGTIP_SECRET": "not-the-secret"}
    applied = fleet("apply", "plans", *graph, "--state-dir", "state", env=wrong, cwd=work)
    assert applied.code == 1, applied.err
    failed = [line for line in applied.err.splitlines() if line.startswith("error: tenant")]
    assert len(failed) == 1 and failed[0].startswith("error: tenant wingtip failed (token): ")
    assert "AADSTS7000215" in failed[0] and "not-the-secret" not in applied.err + applied.out
    record = read_json(work / "plans" / "fleet-apply.json")["tenants"]
    assert {n: r["status"] for n, r in record.items()} == {
        **{t.name: "applied" for t in TENANTS[:4]},
        "wingtip": "failed",
    }
    assert policies(emulator, BY_NAME["wingtip"]) == {}

    again = fleet("apply", "plans", *graph, "--state-dir", "state", env=env, cwd=work)
    assert again.code == 0, again.err
    assert again.err.count("already applied (fleet-apply.json)") == 4
    assert "wingtip: applied" in again.err

    empty = fleet("plan", "fleet.yaml", "--out", "plans-2", *graph, env=env, cwd=work)
    assert empty.code == 0, empty.err
    assert read_json(work / "plans-2" / "fleet-plan.json")["summary"]["no_changes"] == 5

    contoso = policies(emulator, BY_NAME["contoso"])
    assert set(contoso) == {MACROS}  # the overlay replaced it; outlook-pilot is excluded
    assert contoso[MACROS]["description"] == "Contoso keeps its own copy (overlay)"
    for tenant in TENANTS[1:]:
        found = policies(emulator, tenant)
        assert set(found) == {MACROS, PILOT}
        assert found[MACROS]["description"] == "Macros from the internet are blocked for the fleet"
        targets = {
            (a["target"]["@odata.type"].rsplit(".", 1)[-1], a["target"]["groupId"])
            for a in found[MACROS]["assignments"]
        }
        assert targets == {
            ("groupAssignmentTarget", tenant.helpdesk),
            ("exclusionGroupAssignmentTarget", tenant.excluded_group),
        }
    audit = (work / "state" / "fleet" / "fabrikam" / "audit.jsonl").read_text(encoding="utf-8")
    assert audit.count('"sent"') >= 1 and SECRET not in audit


def test_portal_change_is_fleet_drift_naming_that_tenant_and_shards_merge(
    capsys, fleet_emulator, monkeypatch, tmp_path
) -> None:
    emulator = fleet_emulator()
    write_fleet(tmp_path)
    work = tmp_path / "fleet"
    graph = ("--graph-url", emulator.base_url, "--auth", "env")
    env = secret_env(emulator)
    assert fleet("plan", "fleet.yaml", "--out", "plans", *graph, env=env, cwd=work).code == 2
    applied = fleet("apply", "plans", *graph, "--state-dir", "state", env=env, cwd=work)
    assert applied.code == 0, applied.err

    portal_edit(emulator, BY_NAME["northwind"], MACROS, {"description": "edited in the portal"})
    reports = ("--report", "d.json", "--report", "d.xml", "--report", "d.sarif")
    drift = fleet("drift", "fleet.yaml", *graph, *reports, "--out", "all", env=env, cwd=work)
    assert drift.code == 2, drift.err
    assert "Fleet drift: 5 tenant(s): 4 without drift, 1 with drift (northwind)" in drift.out
    document = read_json(work / "d.json")
    assert {t["name"]: t["status"] for t in document["tenants"]} == {
        **{t.name: "clean" for t in TENANTS},
        "northwind": "drift",
    }
    suites = ET.parse(work / "d.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == [f"tenant {t.name}" for t in TENANTS]
    assert [s.get("name") for s in suites if s.get("failures") != "0"] == ["tenant northwind"]
    results = read_json(work / "d.sarif")["runs"][0]["results"]
    assert results and {r["properties"]["tenant"] for r in results} == {"northwind"}
    assert all(r["message"]["text"].startswith("tenant northwind: ") for r in results)

    # The shards and merges in this process (each fleet command above was a process).
    monkeypatch.chdir(work)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def here(*argv: str):
        return run(capsys, "fleet", *argv)

    for k in (0, 1):
        shard = here("drift", "fleet.yaml", *graph, "--shard", f"{k}/2", "--out", f"d{k}")
        assert shard.code in (0, 2), shard.err
    merged = here("merge", "d0", "d1", "--out", "merged", "--report", "m.json")
    assert merged.code == 2, merged.err

    def comparable(doc):
        return [
            {k: v for k, v in t.items() if k != "drift"} | {"summary": t["summary"]}
            for t in doc["tenants"]
        ]

    whole = read_json(work / "all" / "fleet-drift.json")
    joined = read_json(work / "merged" / "fleet-drift.json")
    assert comparable(joined) == comparable(whole)
    assert joined["summary"] == whole["summary"] and joined["missing_shards"] == []
    assert read_json(work / "m.json")["summary"] == document["summary"]

    half = ("--report", "half.md", "--report", "half.junit.xml", "--report", "half.sarif")
    alone = here("merge", "d0", "--out", "half", *half)
    assert alone.code == 1 and "error: shards missing: 1/2" in alone.err
    # every report of a merge short of a shard says so, not only the text and the page
    assert "shard(s) 1 MISSING" in (work / "half.md").read_text(encoding="utf-8")
    junit = (work / "half.junit.xml").read_text(encoding="utf-8")
    assert 'name="shard 1"' in junit and 'type="missing-shard"' in junit
    sarif = read_json(work / "half.sarif")["runs"][0]
    assert sarif["properties"]["missingShards"] == [1]
    assert sarif["invocations"] == [{"executionSuccessful": False}]
    # a shard killed before its index was written is a missing shard, not a failed merge
    (work / "d1" / "fleet-drift.json").unlink()
    cut = here("merge", "d0", "d1", "--out", "cut", "--report", "cut.md")
    assert cut.code == 1 and "d1: no index (that shard did not finish)" in cut.err
    assert "error: shards missing: 1/2" in cut.err
    assert "shard(s) 1 MISSING" in (work / "cut.md").read_text(encoding="utf-8")
    # merging into one of the inputs would overwrite that shard's index
    into = here("merge", "d0", "cut", "--out", "d0")
    assert into.code == 1 and "--out is one of the folders being merged" in into.err

    for k in (0, 1):
        shard = here("plan", "fleet.yaml", *graph, "--shard", f"{k}/2", "--out", f"p{k}")
        assert shard.code in (0, 2), shard.err
    assert here("plan", "fleet.yaml", *graph, "--out", "p").code == 2
    assert here("merge", "p0", "p1", "--out", "pm").code == 2
    plans = read_json(work / "p" / "fleet-plan.json")["tenants"]
    joined_plans = read_json(work / "pm" / "fleet-plan.json")["tenants"]
    assert [(t["name"], t["status"], t["summary"]) for t in joined_plans] == [
        (t["name"], t["status"], t["summary"]) for t in plans
    ]
    assert [t["name"] for t in plans if t["status"] == "changes"] == ["northwind"]
