"""`plan --target ADDRESS` against the emulator: the target's own steps, the ordering call
only when the target moves and then only with the targets' moves, a warning that the plan
is partial, and refusals where a partial ordering call would break uniqueness."""

from __future__ import annotations

import json

from tests.support.cli import UNPACED, run
from tests.support.manifests import policy_doc, write_set
from tests.support.raw import by_name
from tests.support.tenant import SECURITY


def _apply(capsys, emulator, m, tmp_path, *extra):
    result = run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
        *extra,
    )
    assert result.code == 0, result.err
    return result


def _plan(capsys, emulator, m, *extra):
    return run(capsys, "plan", str(m), "--graph-url", emulator.base_url, *extra)


def _set(tmp_path, a=1, b=2, c=3, desc="managed", extra=()):
    docs = [
        policy_doc("a", "Policy A", a, description=desc),
        policy_doc("b", "Policy B", b, description=desc),
        policy_doc("c", "Policy C", c),
        *extra,
    ]
    return write_set(tmp_path / "m", *docs)


def test_a_target_plans_only_its_own_change_and_warns(capsys, emulator, tmp_path):
    _apply(capsys, emulator, _set(tmp_path), tmp_path)
    m = _set(tmp_path, desc="changed")
    result = _plan(capsys, emulator, m, "--target", f"{SECURITY}/a", "--format", "json")
    body = json.loads(result.out)
    assert [c["address"] for c in body["changes"]] == [f"{SECURITY}/a"]
    assert body["targets"] == [f"{SECURITY}/a"] and body["cost"]["writes"] == 1
    text = _plan(capsys, emulator, m, "--target", f"{SECURITY}/a").out
    assert text.count("Warning: this plan is partial (--target ") == 2  # top and bottom
    assert "Plan: 0 to create, 1 to update, 0 to delete." in text


def test_a_moving_target_gets_an_ordering_call_with_only_its_move(capsys, emulator, tmp_path):
    _apply(capsys, emulator, _set(tmp_path), tmp_path)
    m = _set(tmp_path, a=7, b=8)  # both move to free values
    body = json.loads(
        _plan(capsys, emulator, m, "--target", f"{SECURITY}/a", "--format", "json").out
    )
    reorder = [c for c in body["changes"] if c["action"] == "reorder"]
    (step,) = reorder[0]["steps"]
    a = by_name(emulator)["Policy A"]["id"]
    assert [e["id"] for e in reorder[0]["ordering"]] == [a]
    assert list(step["body"].values()) == [[a], [7]]
    saved = tmp_path / "partial.plan"
    _plan(capsys, emulator, m, "--target", f"{SECURITY}/a", "--out", str(saved))
    _apply_plan = run(
        capsys,
        "apply",
        str(saved),
        "--graph-url",
        emulator.base_url,
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s2"),
    )
    assert _apply_plan.code == 0, _apply_plan.err
    live = {n: p["priority"] for n, p in by_name(emulator).items()}
    assert live == {"Policy A": 7, "Policy B": 2, "Policy C": 3}
    rest = json.loads(_plan(capsys, emulator, m, "--format", "json").out)
    assert {c["address"] for c in rest["changes"]} >= {f"{SECURITY}/b"}
    assert f"{SECURITY}/a" not in {c["address"] for c in rest["changes"]}


def test_a_created_target_keeps_its_payloads_and_assignments(capsys, emulator, tmp_path):
    _apply(capsys, emulator, _set(tmp_path), tmp_path)
    new = policy_doc(
        "d", "Policy D", 9, payload={"x": 1}, groups=["0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"]
    )
    m = _set(tmp_path, desc="changed", extra=[new])
    body = json.loads(
        _plan(capsys, emulator, m, "--target", f"{SECURITY}/d", "--format", "json").out
    )
    (change,) = body["changes"]
    assert change["action"] == "create"
    purposes = sorted((s["kind"], s.get("purpose") or "") for s in change["steps"])
    assert ("put-stream", "") in purposes and ("action", "assign") in purposes


def test_a_move_onto_a_value_an_untargeted_policy_still_holds_is_refused(
    capsys, emulator, tmp_path
):
    _apply(capsys, emulator, _set(tmp_path), tmp_path)
    m = _set(tmp_path, a=2, b=1)  # a swap
    refused = _plan(capsys, emulator, m, "--target", f"{SECURITY}/a")
    assert refused.code == 1
    assert "Policy A would take priority 2, which Policy B holds until its own move" in refused.err
    assert "hint: Target that policy too" in refused.err
    both = _plan(
        capsys,
        emulator,
        m,
        "--target",
        f"{SECURITY}/a",
        "--target",
        f"{SECURITY}/b",
        "--format",
        "json",
    )
    assert both.code == 0, both.err
    (reorder,) = [c for c in json.loads(both.out)["changes"] if c["action"] == "reorder"]
    assert sorted(e["value"] for e in reorder["ordering"]) == [1, 2]  # C is not carried


def test_an_unknown_target_is_an_error(capsys, emulator, tmp_path):
    result = _plan(capsys, emulator, _set(tmp_path), "--target", f"{SECURITY}/nope")
    assert result.code == 1
    assert f"--target {SECURITY}/nope: no manifest declares this address" in result.err
