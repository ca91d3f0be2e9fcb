"""Interrupting an apply with real signals, judged on the emulator's store and the audit
log: the first SIGINT or SIGTERM stops new writes at once and ends with a summary that
counts them; a second aborts and records the writes in flight as unknown. (A tenant changed
by someone else between two rounds: tests/safety/test_rechecks.py, in-process.)"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import make_policy, make_tenant
from tests.support.manifests import policy_doc, write_set
from tests.support.processes import Forked

POLICIES = 40


def _tenant(count: int) -> dict[str, Any]:
    return make_tenant(
        [
            make_policy(display_name=f"P{i}", priority=i + 1, description="old", security=True)
            for i in range(count)
        ]
    )


def _manifests(root: Path, count: int) -> Path:
    return write_set(
        root, *[policy_doc(f"p{i}", f"P{i}", i + 1, description="new") for i in range(count)]
    )


def _audit(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _landed(emu) -> int:
    return sum(1 for w in emu.stats()["write_log"] if w["status"] is not None and w["status"] < 300)


def _until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _start(emu, tmp_path: Path, manifests: Path, *extra: str) -> Forked:
    argv = [
        "apply", manifests, "--graph-url", emu.base_url, "--auto-approve",
        "--state-dir", tmp_path / "state", *extra,
    ]  # fmt: skip
    return Forked(
        argv, tmp_path / "apply.log", env={"RECONCILER_LOCK_DIR": str(tmp_path / "locks")}
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_first_signal_stops_new_writes_and_the_summary_counts_them(
    make_emulator, tmp_path, sig
):
    emu = make_emulator(seed=_tenant(POLICIES))
    # 40 writes at 4 a second, in bursts of 20: the first 20 land, the rest wait for tokens.
    apply = _start(emu, tmp_path, _manifests(tmp_path / "m", POLICIES), "--write-rate", "4").start()
    _until(lambda: _landed(emu) >= 20)
    time.sleep(0.3)
    sent_at = time.monotonic()
    os.kill(apply.pid, sig)
    code = apply.wait(timeout=20)
    stopped_in = time.monotonic() - sent_at
    landed = _landed(emu)
    time.sleep(1.0)
    assert _landed(emu) == landed, "writes kept landing after the process ended"
    assert code == 1, apply.output
    assert stopped_in < 3.0, stopped_in
    assert f"Apply interrupted: {landed} applied, 0 failed, {POLICIES - landed} not attempted." in (
        apply.output
    )
    assert landed < POLICIES
    lines = _audit(tmp_path / "state" / "audit.jsonl")
    sent = [line for line in lines if line["event"] == "sent"]
    outcomes = [line for line in lines if line["event"] == "outcome"]
    assert len(outcomes) == len(sent) == landed  # nothing sent that was not answered
    assert all(line["outcome"] == "applied" for line in outcomes)
    assert len({line["time"] for line in outcomes}) >= 1
    assert "Traceback" not in apply.output


def test_a_second_signal_aborts_and_the_writes_in_flight_are_unknown(make_emulator, tmp_path):
    emu = make_emulator(seed=_tenant(10))
    log_write = emu.app.stats.log_write
    first: list[str] = []

    def slow_answer(method: str, path: str, status: int | None) -> None:
        log_write(method, path, status)
        if not first:  # the batch of writes is being applied: hold its answer back
            first.append(path)
            time.sleep(3)

    emu.app.stats.log_write = slow_answer  # type: ignore[method-assign]
    apply = _start(emu, tmp_path, _manifests(tmp_path / "m", 10), "--write-rate", "0").start()
    _until(lambda: bool(first))
    os.kill(apply.pid, signal.SIGINT)
    time.sleep(0.2)
    os.kill(apply.pid, signal.SIGINT)
    code = apply.wait(timeout=20)
    assert code == 1, apply.output
    assert "SIGINT again: aborted. 10 write(s) were in flight; their outcome is unknown" in (
        apply.output
    )
    _until(lambda: _landed(emu) == 10)  # the emulator finishes the batch the process left
    lines = _audit(tmp_path / "state" / "audit.jsonl")
    sent = {line["step"] for line in lines if line["event"] == "sent"}
    answered = {line["step"]: line["outcome"] for line in lines if line["event"] == "outcome"}
    assert len(sent) == 10 and set(answered) == sent  # every landed write has both lines
    assert set(answered.values()) == {"unknown"}
