"""Aspects of a fleet run where some tenants cannot go on: each fails alone, with a typed
one-line reason, and the others are planned or applied.

- preflight: a tenant where the app has no consent (AADSTS65001), a tenant the authority
  does not know (AADSTS90002), a token without Group.Read.All where a group is named by
  displayName, a tenant whose credential variable is unset;
- groups: a displayName that matches two groups in one tenant is an error at the manifest's
  line naming the tenant;
- SIGINT during a fleet apply starts no new tenant, and the record says what was done;
- apply: a tenant that changed since its plan is refused as stale before any write, a
  tenant whose apply lock another process holds is refused as locked, a tenant whose plan
  file was edited is refused; the others apply, and `fleet-apply.json` records each.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from reconciler.apply import lock
from reconciler.cli import logs
from reconciler.values.canonical import sha256_json
from tests.support.cli import run, run_process

from .support import (
    BY_NAME,
    MACROS,
    TENANTS,
    policies,
    portal_create,
    read_json,
    secret_env,
    seeds,
    write_fleet,
)

UNKNOWN = "99999999-8888-4777-8666-555555555555"


def use(monkeypatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_preflight_and_group_failures_fail_their_tenant_alone(
    capsys, fleet_emulator, monkeypatch, tmp_path
) -> None:
    contoso, fabrikam, northwind, tailspin, wingtip = TENANTS
    ambiguous = seeds(TENANTS[:4])
    ambiguous[tailspin.tenant_id]["groups"].append({"displayName": "HELPDESK"})
    emulator = fleet_emulator(
        tenants=TENANTS[:4],
        seeds=ambiguous,
        unconsented=(fabrikam.tenant_id,),
        tenant_roles={northwind.tenant_id: ("DeviceManagementConfiguration.ReadWrite.All",)},
    )
    # wingtip is not served at all; contoso's overlay has no group, so it plans.
    unknown = {**wingtip.__dict__, "tenant_id": UNKNOWN}
    fleet_file = write_fleet(tmp_path, [*TENANTS[:4], type(wingtip)(**unknown)])
    use(monkeypatch, secret_env(emulator))
    emulator.reset_stats()

    try:
        found = run(capsys, "fleet", "plan", str(fleet_file), "--out", str(tmp_path / "plans"),
                    "--graph-url", emulator.base_url, "--auth", "env", "-v")  # fmt: skip
    finally:  # -v's handler writes to this test's captured stderr: not to later tests'
        logs.configure(debug=False, verbose=False)
    assert found.code == 1, found.err
    # -v: each request's line names its tenant, among tenants worked on side by side
    assert re.search(
        r"INFO reconciler\.fetch\.client: \[contoso\] POST /\$batch -> 200 ", found.err
    )
    index = read_json(tmp_path / "plans" / "fleet-plan.json")
    reasons = {t["name"]: t["reason"] for t in index["tenants"]}
    assert reasons == {
        "contoso": None,
        "fabrikam": "consent",
        "northwind": "permission",
        "tailspin": "groups",
        "wingtip": "token",
    }
    lines = [line for line in found.err.splitlines() if line.startswith("error: ")]
    assert any(
        line.startswith("error: tenant fabrikam failed (consent): the app has no admin consent")
        and "AADSTS65001" in line
        for line in lines
    )
    assert any(
        "northwind failed (permission)" in line and "Group.Read.All" in line for line in lines
    )
    assert any("wingtip failed (token)" in line and "AADSTS90002" in line for line in lines)
    policies_yaml = Path("fleet") / "baseline" / "policies.yaml"
    assert any(
        line.startswith(f"error: {tmp_path / policies_yaml}:13:")
        and "2 groups are named 'Helpdesk' in tenant tailspin" in line
        for line in lines
    ), lines
    assert "error: tenant tailspin failed (groups): see below" in lines  # the problem once
    assert index["tenants"][0]["status"] == "changes" and index["summary"]["failed"] == 4
    assert "Traceback" not in found.err
    assert emulator.stats()["writes"] == 0  # a plan writes nothing, whoever fails


def test_unset_credential_variable_fails_that_tenant(
    capsys, fleet_emulator, monkeypatch, tmp_path
) -> None:
    emulator = fleet_emulator(tenants=TENANTS[:2])
    fleet_file = write_fleet(
        tmp_path, TENANTS[:2], extra={"fabrikam": "environment: {AZURE_CLIENT_SECRET: FAB_SECRET}"}
    )
    use(monkeypatch, secret_env(emulator))
    found = run(capsys, "fleet", "plan", str(fleet_file), "--out", str(tmp_path / "plans"),
                "--graph-url", emulator.base_url, "--auth", "env")  # fmt: skip
    assert found.code == 1
    assert "error: tenant fabrikam failed (config): the environment lacks FAB_SECRET" in found.err
    assert "contoso: 1 to create" in found.err


def test_stale_locked_and_edited_tenants_are_refused_the_others_apply(
    capsys, fleet_emulator, monkeypatch, tmp_path
) -> None:
    emulator = fleet_emulator()
    fleet_file = write_fleet(tmp_path)
    env = secret_env(emulator)
    use(monkeypatch, env)
    plans = tmp_path / "plans"
    planned = run(capsys, "fleet", "plan", str(fleet_file), "--out", str(plans),
                  "--graph-url", emulator.base_url, "--auth", "env")  # fmt: skip
    assert planned.code == 2, planned.err

    # fabrikam: an admin creates a policy of the planned name meanwhile;
    portal_create(emulator, BY_NAME["fabrikam"], MACROS)
    # tailspin: its saved plan is rebuilt after review (its own checksum made to match).
    edited = plans / "tenants" / "tailspin.plan.json"
    document = json.loads(edited.read_text(encoding="utf-8"))
    document["plan"]["changes"] = document["plan"]["changes"][:1]
    document["checksum"] = sha256_json(document["plan"])
    edited.write_text(json.dumps(document), encoding="utf-8")
    # northwind: another apply holds its lock (this process) while fleet apply runs.
    with lock.tenant_lock(emulator.base_url, BY_NAME["northwind"].tenant_id, command="apply"):
        applied = run_process("fleet", "apply", plans, "--graph-url", emulator.base_url,
                              "--auth", "env", "--state-dir", tmp_path / "state")  # fmt: skip
    assert applied.code == 1, applied.err
    record = read_json(plans / "fleet-apply.json")["tenants"]
    assert {n: (r["status"], r.get("reason")) for n, r in record.items()} == {
        "contoso": ("applied", None),
        "fabrikam": ("failed", "stale"),
        "northwind": ("failed", "locked"),
        "tailspin": ("failed", "plan"),
        "wingtip": ("applied", None),
    }
    assert "error: tenant fabrikam failed (stale): " in applied.err
    # what to do next, per tenant: the locked one is retried; the others need a new plan
    assert f"run `reconciler fleet apply {plans}` again to retry northwind;" in applied.err
    assert "plan fabrikam, tailspin again (`reconciler fleet plan`)" in applied.err
    assert "now exists" in record["fabrikam"]["message"]
    assert "another apply holds the lock" in record["northwind"]["message"]
    assert "checksum differs" in record["tailspin"]["message"]
    # Nothing was written to the refused tenants: fabrikam has only the admin's policy.
    assert list(policies(emulator, BY_NAME["fabrikam"])) == [MACROS]
    assert policies(emulator, BY_NAME["northwind"]) == {}
    assert policies(emulator, BY_NAME["tailspin"]) == {}
    assert len(policies(emulator, BY_NAME["wingtip"])) == 2


def test_sigint_starts_no_new_tenant_and_records_what_was_done(
    fleet_emulator, monkeypatch, tmp_path
) -> None:

    emulator = fleet_emulator()
    fleet_file = write_fleet(tmp_path)
    use(monkeypatch, secret_env(emulator))
    plans = tmp_path / "plans"
    planned = run_process("fleet", "plan", fleet_file, "--out", plans,
                          "--graph-url", emulator.base_url, "--auth", "env")  # fmt: skip
    assert planned.code == 2, planned.err
    emulator.configure(latency_ms=150)
    argv = ["fleet", "apply", plans, "--graph-url", emulator.base_url, "--auth", "env",
            "--state-dir", tmp_path / "state", "--concurrency", "1"]  # fmt: skip
    # A process of its own (not tests.support.processes' forkserver: started here, it would
    # keep this test's environment for every later test's process).
    log = tmp_path / "apply.log"
    with log.open("w", encoding="utf-8") as out:
        applying = subprocess.Popen(
            [sys.executable, "-m", "reconciler", *map(str, argv)], stdout=out, stderr=out
        )
        deadline = time.monotonic() + 60
        while "[1/5]" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "[1/5]" in log.read_text(), log.read_text()
        applying.send_signal(signal.SIGINT)
        assert applying.wait(60) == 1
    output = log.read_text()
    assert "SIGINT: stopping; no new tenant starts" in output
    record = read_json(plans / "fleet-apply.json")["tenants"]
    statuses = [record[t.name]["status"] for t in TENANTS]
    assert statuses[0] == "applied"
    assert "failed" in statuses and all(s in ("applied", "incomplete", "failed") for s in statuses)
    not_started = [n for n, r in record.items() if r.get("reason") == "interrupted"]
    assert not_started and all(policies(emulator, BY_NAME[n]) == {} for n in not_started)
    assert "Traceback" not in output


def test_scope_is_checked_and_added_to_every_tenants_own(
    capsys, fleet_emulator, monkeypatch, tmp_path
) -> None:
    from reconciler.emulator import make_configuration_policy

    stray = seeds(TENANTS[:2])
    for tenant in stray.values():
        tenant["configurationPolicies"] = [make_configuration_policy("Stray - old")]
    emulator = fleet_emulator(tenants=TENANTS[:2], seeds=stray)
    fleet_file = write_fleet(tmp_path, TENANTS[:2])
    use(monkeypatch, secret_env(emulator))
    common = ("--graph-url", emulator.base_url, "--auth", "env")
    bad = run(capsys, "fleet", "plan", str(fleet_file), "--out", str(tmp_path / "bad"),
              "--scope", "no-slash", *common)  # fmt: skip
    assert bad.code == 1 and "--scope 'no-slash' is not Kind/name" in bad.err
    plans = tmp_path / "plans"
    found = run(capsys, "fleet", "plan", str(fleet_file), "--out", str(plans),
                "--scope", "SettingsCatalogPolicy/Stray - *", *common)  # fmt: skip
    assert found.code == 2, found.err
    index = read_json(plans / "fleet-plan.json")
    for entry in index["tenants"]:  # the stray policy is inside every tenant's scope now
        unmanaged = read_json(plans / entry["plan"])["plan"]["unmanaged"]
        assert [(u["display_name"], u["in_scope"]) for u in unmanaged] == [("Stray - old", True)]
