"""Apply end to end: saved plans, stale plans, backups and restore, audit log, faults,
and an apply killed with SIGKILL midway."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from tests.support.cli import UNPACED, run
from tests.support.manifests import policy_doc, write_set
from tests.support.raw import by_name, raw, settle, writes
from tests.support.tenant import CLIENT, GROUP_A, GROUP_B, POLICIES


def many(tmp_path, count, *, description="managed", name="m"):
    docs = [
        policy_doc(
            f"p{i}",
            f"Policy {i:03d}",
            i + 1,
            kind=CLIENT if i % 2 else "WindowsOfficeClientSecurityConfiguration",
            description=description,
            payload={"setting": i},
            groups=[GROUP_A] if i % 3 else [GROUP_A, GROUP_B],
        )
        for i in range(count)
    ]
    return write_set(tmp_path / name, *docs)


def test_saved_plan_applies_then_plan_is_empty_and_audit_is_written(capsys, emulator, tmp_path):
    m = many(tmp_path, 4)
    plan_path = tmp_path / "plan.json"
    assert (
        run(capsys, "plan", str(m), "--graph-url", emulator.base_url, "--out", str(plan_path)).code
        == 0
    )
    result = run(
        capsys,
        "apply",
        str(plan_path),
        "--graph-url",
        emulator.base_url,
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert result.code == 0, result.err
    assert "Apply complete" in result.out
    assert len(by_name(emulator)) == 4
    lines = [json.loads(line) for line in (tmp_path / "s" / "audit.jsonl").read_text().splitlines()]
    assert {line["method"] for line in lines} == {"POST", "PUT"}
    sent = [line for line in lines if line["event"] == "sent"]
    answered = [line for line in lines if line["event"] == "outcome"]
    assert sorted(line["step"] for line in sent) == sorted(line["step"] for line in answered)
    assert all(line["outcome"] == "applied" for line in answered)
    assert all(line["request_id"] for line in answered if line["method"] == "POST")
    again = run(capsys, "plan", str(m), "--graph-url", emulator.base_url, "--detailed-exitcode")
    assert again.code == 0, again.out


def test_stale_plan_is_refused_with_zero_writes(capsys, emulator, tmp_path):
    m = many(tmp_path, 2)
    run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    changed = many(tmp_path, 2, description="second", name="m2")
    plan_path = tmp_path / "plan.json"
    run(capsys, "plan", str(changed), "--graph-url", emulator.base_url, "--out", str(plan_path))
    victim = by_name(emulator)["Policy 000"]
    raw(emulator, "PATCH", f"{POLICIES}/{victim['id']}", json={"displayName": "Renamed by hand"})
    before = writes(emulator)
    result = run(
        capsys,
        "apply",
        str(plan_path),
        "--graph-url",
        emulator.base_url,
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert result.code == 1
    assert "Saved plan is stale" in result.err and "Run reconciler plan again." in result.err
    assert writes(emulator) == before


def test_plan_for_another_graph_url_is_refused(capsys, emulator, make_emulator, tmp_path):
    other = make_emulator()
    plan_path = tmp_path / "plan.json"
    run(
        capsys,
        "plan",
        str(many(tmp_path, 1)),
        "--graph-url",
        other.base_url,
        "--out",
        str(plan_path),
    )
    result = run(capsys, "apply", str(plan_path), "--graph-url", emulator.base_url)
    assert result.code == 1 and "Saved plan is stale" in result.err
    assert writes(emulator) == 0


def test_backup_restores_the_earlier_state(capsys, emulator, tmp_path):
    m = many(tmp_path, 3)
    run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    original = by_name(emulator)
    changed = many(tmp_path, 3, description="changed", name="m2")
    result = run(
        capsys,
        "apply",
        str(changed),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert result.code == 0, result.err
    (backup,) = (tmp_path / "s" / "backups").iterdir()
    assert str(backup) in result.out
    assert all(p["description"] == "changed" for p in by_name(emulator).values())
    restored = run(
        capsys,
        "apply",
        str(backup),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s2"),
    )
    assert restored.code == 0, restored.err
    assert by_name(emulator) == original


def test_without_terminal_or_auto_approve_apply_refuses(capsys, emulator, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    result = run(capsys, "apply", str(many(tmp_path, 1)), "--graph-url", emulator.base_url)
    assert result.code == 1 and "--auto-approve" in result.err
    assert writes(emulator) == 0


def test_apply_converges_under_faults_without_duplicates(capsys, make_emulator, tmp_path):
    emu = make_emulator(
        fail_rate=0.15, drop_rate=0.05, throttle=True, write_limit="40/1", random_seed=7
    )
    m = many(tmp_path, 12)
    for _attempt in range(6):
        result = run(
            capsys,
            "apply",
            str(m),
            "--graph-url",
            emu.base_url,
            "--auto-approve",
            "--write-rate",
            "30",
            "--state-dir",
            str(tmp_path / "s"),
        )
        plan = run(capsys, "plan", str(m), "--graph-url", emu.base_url, "--detailed-exitcode")
        if result.code == 0 and plan.code == 0:
            break
    stats = emu.stats()
    assert stats["failed_injected"] > 0 and stats["dropped"] > 0  # the faults really happened
    emu.configure(fail_rate=0.0, drop_rate=0.0, throttle=False)
    assert len(by_name(emu)) == 12  # by_name asserts there are no duplicate names
    final = run(capsys, "plan", str(m), "--graph-url", emu.base_url, "--detailed-exitcode")
    assert final.code == 0, final.out + final.err


def test_apply_killed_midway_then_run_again_converges(capsys, make_emulator, tmp_path):
    emu = make_emulator(latency_ms=20)
    m = many(tmp_path, 10)
    env = {**os.environ, "RECONCILER_GRAPH_URL": emu.base_url}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "apply",
            str(m),
            "--auto-approve",
            *UNPACED,
            "--state-dir",
            str(tmp_path / "s"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while writes(emu) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # A write the dead process left in flight still lands; planning before it does would
    # (rightly) make the apply refuse its plan as stale.
    settle(emu)
    emu.configure(latency_ms=0)
    result = run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emu.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert result.code == 0, result.err
    assert len(by_name(emu)) == 10
    assert run(capsys, "plan", str(m), "--graph-url", emu.base_url, "--detailed-exitcode").code == 0


def test_a_saved_plan_for_another_tenant_is_refused_before_any_request(
    capsys, emulator, tmp_path, monkeypatch
):
    # Every tenant shares one Graph URL: a create-only plan would apply cleanly to the wrong
    # one. The plan names its tenant (here from AZURE_TENANT_ID), and apply checks it first.
    tenant_a, tenant_b = (
        "aaaaaaaa-0000-4000-8000-00000000000a",
        "bbbbbbbb-0000-4000-8000-00000000000b",
    )
    plan_path = tmp_path / "plan.json"
    monkeypatch.setenv("AZURE_TENANT_ID", tenant_a)
    made = run(
        capsys,
        "plan",
        str(many(tmp_path, 2)),
        "--graph-url",
        emulator.base_url,
        "--out",
        str(plan_path),
    )
    assert made.code == 0, made.err
    assert json.loads(plan_path.read_text())["plan"]["tenant_id"] == tenant_a
    emulator.reset_stats()
    monkeypatch.setenv("AZURE_TENANT_ID", tenant_b)
    refused = run(capsys, "apply", str(plan_path), "--graph-url", emulator.base_url, *UNPACED)
    assert refused.code == 1
    assert (
        f"Saved plan is for tenant {tenant_a}, but these credentials reach tenant {tenant_b}"
        in refused.err
    )
    assert emulator.stats()["total"] == 0 and emulator.stats()["token_requests"] == 0
    monkeypatch.setenv("AZURE_TENANT_ID", tenant_a)
    applied = run(
        capsys,
        "apply",
        str(plan_path),
        "--graph-url",
        emulator.base_url,
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert applied.code == 0, applied.err


def test_a_saved_plan_for_another_graph_url_is_refused_before_any_request(
    capsys, make_emulator, tmp_path
):
    first, second = make_emulator(), make_emulator()
    plan_path = tmp_path / "plan.json"
    made = run(
        capsys,
        "plan",
        str(many(tmp_path, 1)),
        "--graph-url",
        first.base_url,
        "--out",
        str(plan_path),
    )
    assert made.code == 0, made.err
    refused = run(capsys, "apply", str(plan_path), "--graph-url", second.base_url, *UNPACED)
    assert refused.code == 1 and "Saved plan is stale: it was made for" in refused.err
    assert second.stats()["total"] == 0
