"""Apply's writes end to end against the emulator, counted in its write log (its rule
against duplicate priorities would hide a create sent twice behind a 400):

- a create Graph refuses outright (a 4xx) is sent once, never again;
- a create whose answer was lost is adopted in the same apply, never created twice;
- clearing a payload stores an empty stream, not the bytes `null`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.app import Outcome
from reconciler.emulator.faults import Drop, DropWhen
from reconciler.emulator.messages import Response
from tests.support.cli import UNPACED, cli_run
from tests.support.manifests import manifest, write_manifests
from tests.support.raw import Graph, by_name
from tests.support.tenant import POLICIES, SECURITY_TYPE


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr("reconciler.fetch.pacing.BACKOFF_BASE", 0.02)


def creates_logged(emu: Emulator) -> list[Any]:
    """The status of every POST create the emulator received (None: dropped before it landed)."""
    return [
        w["status"]
        for w in emu.stats()["write_log"]
        if (w["method"], w["path"]) == ("POST", POLICIES)
    ]


def apply_plan(emu: Emulator, plan: Path, state: Path) -> Any:
    return cli_run("apply", plan, "--graph-url", emu.base_url, *UNPACED, "--state-dir", state)


def audit(state: Path) -> list[dict[str, Any]]:
    """The audit's outcome lines (each write also has a `sent` line before it goes out)."""
    lines = [json.loads(line) for line in (state / "audit.jsonl").read_text().splitlines()]
    return [line for line in lines if line["event"] == "outcome"]


def test_a_create_refused_with_a_4xx_is_sent_once(emulator, tmp_path):
    root = write_manifests(tmp_path / "m", [manifest("n", "New", 5, description="d")])
    plan = tmp_path / "plan.json"
    assert cli_run("plan", root, "--graph-url", emulator.base_url, "--out", plan).code == 0
    Graph(emulator).create(5, SECURITY_TYPE, displayName="Took priority 5")  # out of band
    emulator.reset_stats()
    result = apply_plan(emulator, plan, tmp_path / "s")
    assert result.code == 1
    assert creates_logged(emulator) == [400], "a refused create was sent again"
    (line,) = [a for a in audit(tmp_path / "s") if a["method"] == "POST"]
    assert (line["status"], line["outcome"]) == (400, "failed")
    assert "New" not in by_name(emulator)


def drop_answers_of_creates(emu: Emulator, when: DropWhen, count: int) -> None:
    """Cut the connection of the next `count` POST creates, before or after they land.

    The emulator's --drop-rate draws for every request (reads too, in the order the threads
    send them); this cuts exactly the creates, so the test always meets the case."""
    handle = emu.app.handle_graph

    def dropping(request: Any) -> Outcome:
        if (request.method, request.path) != ("POST", POLICIES) or len(cut) == count:
            return handle(request)
        cut.append(when)
        emu.app.stats.add("dropped")
        if when == "before":
            emu.app.stats.log_write(request.method, request.path, None)
            return Outcome(Response.empty(), Drop(when, "silent"))
        return Outcome(handle(request).response, Drop(when, "silent"))

    cut: list[str] = []
    emu.app.handle_graph = dropping  # type: ignore[method-assign]


def planned_creates(emu: Emulator, tmp_path: Path, names: list[str]) -> tuple[Path, Path]:
    docs = [manifest(f"p{i}", n, i + 1, policyPayload={"i": i}) for i, n in enumerate(names)]
    root = write_manifests(tmp_path / "m", docs)
    plan = tmp_path / "plan.json"
    assert cli_run("plan", root, "--graph-url", emu.base_url, "--out", plan).code == 0
    return root, plan


def test_creates_whose_answers_are_lost_are_adopted_in_the_same_apply(emulator, tmp_path):
    names = [f"Policy {i}" for i in range(4)]
    root, plan = planned_creates(emulator, tmp_path, names)
    drop_answers_of_creates(emulator, "after", 2)  # landed, but the client never hears so
    emulator.reset_stats()
    result = apply_plan(emulator, plan, tmp_path / "s")
    assert result.code == 0, result.err
    assert creates_logged(emulator) == [201] * len(names), "an object was posted twice"
    creates = [a for a in audit(tmp_path / "s") if a["method"] == "POST" and a["path"] == POLICIES]
    assert sorted(str(a["status"]) for a in creates) == ["201", "201", "None", "None"]
    assert all(a["outcome"] == "applied" for a in creates)
    assert sorted(by_name(emulator)) == names
    for i, name in enumerate(names):  # the payloads went to the adopted objects
        policy_id = by_name(emulator)[name]["id"]
        assert emulator.store.read_payload(policy_id, "policyPayload") == b'{"i": %d}' % i
    again = cli_run("plan", root, "--graph-url", emulator.base_url, "--detailed-exitcode")
    assert again.code == 0, again.out


def test_creates_cut_before_they_land_are_posted_again_in_the_same_apply(emulator, tmp_path):
    names = [f"Policy {i}" for i in range(3)]
    _, plan = planned_creates(emulator, tmp_path, names)
    drop_answers_of_creates(emulator, "before", 2)
    result = apply_plan(emulator, plan, tmp_path / "s")
    assert result.code == 0, result.err
    assert sorted(by_name(emulator)) == names
    assert creates_logged(emulator) == [None, None, 201, 201, 201]


def test_a_dropped_create_under_random_drops_is_never_doubled(make_emulator, tmp_path):
    """The emulator's own --drop-rate (reads and writes alike): whatever it hits, one apply
    ends with each object created once."""
    emu = make_emulator()
    names = [f"Policy {i}" for i in range(6)]
    _, plan = planned_creates(emu, tmp_path, names)
    emu.configure(drop_rate=0.25, random_seed=4)
    result = apply_plan(emu, plan, tmp_path / "s")
    assert result.code in (0, 1), result.err
    emu.configure(drop_rate=0.0)
    assert creates_logged(emu).count(201) <= len(names)
    assert emu.stats()["dropped"] > 0
    by_name(emu)  # asserts that no name is held twice


def test_clearing_a_payload_stores_an_empty_stream_not_null(emulator, tmp_path):
    root = write_manifests(tmp_path / "m", [manifest("a", "A", 1, policyPayload={"k": 1})])
    state = tmp_path / "s"
    flags = ("--graph-url", emulator.base_url, "--auto-approve", *UNPACED, "--state-dir", state)
    assert cli_run("apply", root, *flags).code == 0
    policy_id = by_name(emulator)["A"]["id"]
    assert emulator.store.read_payload(policy_id, "policyPayload") == b'{"k": 1}'
    write_manifests(root, [manifest("a", "A", 1, policyPayload=None)])
    result = cli_run("apply", root, *flags)
    assert result.code == 0, result.err
    assert emulator.store.read_payload(policy_id, "policyPayload") == b""
    again = cli_run("plan", root, "--graph-url", emulator.base_url, "--detailed-exitcode")
    assert again.code == 0, again.out
