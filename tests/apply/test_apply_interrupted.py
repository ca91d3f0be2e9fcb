"""apply_plan when a signal cancels the client, in-process against the emulator: no new
round starts and the tenant is not read again to verify; the result says the apply was
interrupted, and the signal handler's control reaches the running steps. A signal that
arrives after the last write, before the verification read, counts the same."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.apply.audit import AuditLog
from reconciler.apply.executor import ApplyControl, StepState, apply_plan
from reconciler.emulator import make_policy, make_tenant
from reconciler.engine.planner import make_plan
from reconciler.fetch.client import GraphClient
from reconciler.fetch.tenant import read_tenant
from reconciler.load import manifests
from tests.support.manifests import policy_doc, write_set

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def planned(emulator: Any, tmp_path: Path, client: GraphClient, *docs: str) -> Any:
    desired = manifests.load([write_set(tmp_path / "m", *docs)])
    return make_plan(desired, read_tenant(client), now=NOW)


def test_a_signal_during_the_first_round_stops_the_apply_unverified(emulator, tmp_path):
    client = GraphClient(emulator.base_url, write_rate=0)
    # N is created in round 0; its payload would be written in round 1
    plan = planned(emulator, tmp_path, client, policy_doc("n", "N", 1, payload={"k": 1}))
    log_write = emulator.app.stats.log_write

    def meanwhile(method: str, path: str, status: int | None) -> None:
        log_write(method, path, status)
        client.cancel()  # the first signal, as the create is answered

    emulator.app.stats.log_write = meanwhile
    control = ApplyControl()
    result = apply_plan(
        plan, client, backup_root=tmp_path / "b", audit=AuditLog(tmp_path / "a.jsonl"),
        now=NOW, control=control,
    )  # fmt: skip
    assert result.interrupted and result.stopped == "" and not result.ok
    assert control.runner is not None and control.runner.interrupted
    states = {o.step.kind.value: (o.state, o.detail) for o in result.outcomes}
    assert states["create"] == (StepState.APPLIED, "")
    assert states["put-stream"] == (StepState.NOT_ATTEMPTED, "not sent: interrupted")
    assert result.unconfirmed == ()
    assert result.backup_dir is None  # nothing existed to back up: N is new


class LateSignal(GraphClient):
    """The signal arrives once the runner has looked for one for the last time."""

    looks = 0

    @property
    def cancelled(self) -> bool:
        self.looks += 1
        return self.looks > 2  # the runner looks before its one round and after it


def test_a_signal_after_the_last_write_still_skips_the_verification(emulator, tmp_path):
    setup = GraphClient(emulator.base_url, write_rate=0)
    doc = policy_doc("a", "A", 1)
    assert apply_plan(
        planned(emulator, tmp_path, setup, doc), setup, backup_root=tmp_path / "b0",
        audit=AuditLog(None), now=NOW,
    ).ok  # fmt: skip
    client = LateSignal(emulator.base_url, write_rate=0)
    plan = planned(emulator, tmp_path, client, policy_doc("a", "A", 1, description="new"))
    result = apply_plan(plan, client, backup_root=tmp_path / "b", audit=AuditLog(None), now=NOW)
    assert result.interrupted and result.unconfirmed == () and not result.ok
    assert result.backup_dir is not None and any(result.backup_dir.iterdir())  # A, as found
    assert [o.state for o in result.outcomes] == [StepState.APPLIED]


def test_a_signal_between_two_chunks_of_writes_leaves_the_rest_not_sent(make_emulator, tmp_path):
    seed = make_tenant(
        [
            make_policy(display_name=f"P{i}", priority=i + 1, description="old", security=True)
            for i in range(25)
        ]
    )
    emulator = make_emulator(seed=seed)
    client = GraphClient(emulator.base_url, write_rate=0, concurrency=1)  # one chunk at a time
    docs = [policy_doc(f"p{i}", f"P{i}", i + 1, description="new") for i in range(25)]
    plan = planned(emulator, tmp_path, client, *docs)  # 25 PATCHes: chunks of 20 and 5
    log_write = emulator.app.stats.log_write

    def meanwhile(method: str, path: str, status: int | None) -> None:
        log_write(method, path, status)
        client.cancel()  # the first signal, while the first chunk is carried out

    emulator.app.stats.log_write = meanwhile
    result = apply_plan(plan, client, backup_root=tmp_path / "b", audit=AuditLog(None), now=NOW)
    assert result.interrupted
    states = [(o.state, o.detail) for o in result.outcomes]
    assert states.count((StepState.APPLIED, "")) == 20
    assert states.count((StepState.NOT_ATTEMPTED, "not sent: interrupted")) == 5
