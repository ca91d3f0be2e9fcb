"""Plan end to end over HTTP against the emulator: creates, no-ops, minimal PATCH, reorder,
assign, ambiguity, failed reads, throttling, and the example manifests."""

from __future__ import annotations

import json

from tests.support.cli import UNPACED, run
from tests.support.manifests import policy_doc, write_set
from tests.support.raw import by_name, live_policies, raw, writes
from tests.support.tenant import CLIENT, GROUP_A, GROUP_B, POLICIES


def apply(capsys, emulator, path, *extra):
    result = run(
        capsys, "apply", str(path), "--graph-url", emulator.base_url, "--auto-approve", *extra
    )
    assert result.code == 0, result.err
    return result


def plan_json(capsys, emulator, path, *extra):
    result = run(
        capsys, "plan", str(path), "--graph-url", emulator.base_url, "--format", "json", *extra
    )
    assert result.code in (0, 2), result.err
    return json.loads(result.out)


def two_policies(tmp_path, **overrides):
    a = policy_doc("a", "Policy A", overrides.get("pa", 1), payload={"s": 1}, groups=[GROUP_A])
    b = policy_doc(
        "b", "Policy B", overrides.get("pb", 2), kind=CLIENT, groups=overrides.get("gb", [GROUP_B])
    )
    return write_set(tmp_path / "m", a, b)


def test_examples_plan_creates_on_an_empty_tenant_then_apply_then_nothing(
    capsys, emulator, tmp_path
):
    body = plan_json(capsys, emulator, "manifests")
    creates = [c for c in body["changes"] if c["action"] == "create"]
    assert len(creates) >= 3
    assert body["summary"]["create"] == len(creates)
    apply(capsys, emulator, "manifests", *UNPACED, "--state-dir", str(tmp_path / "s"))
    again = run(
        capsys, "plan", "manifests", "--graph-url", emulator.base_url, "--detailed-exitcode"
    )
    assert again.code == 0, again.out + again.err
    assert again.out.strip().endswith("No changes. The tenant matches the manifests.")


def test_matching_tenant_plans_nothing_and_detailed_exitcode(capsys, emulator, tmp_path):
    m = two_policies(tmp_path)
    first = run(capsys, "plan", str(m), "--graph-url", emulator.base_url, "--detailed-exitcode")
    assert first.code == 2
    assert "Plan: 2 to create, 0 to update, 0 to delete." in first.out
    apply(capsys, emulator, m, *UNPACED, "--state-dir", str(tmp_path / "s"))
    assert plan_json(capsys, emulator, m)["changes"] == []


def test_one_out_of_band_change_plans_a_patch_with_exactly_that_field(capsys, emulator, tmp_path):
    m = two_policies(tmp_path)
    apply(capsys, emulator, m, *UNPACED, "--state-dir", str(tmp_path / "s"))
    target = by_name(emulator)["Policy A"]
    response = raw(
        emulator, "PATCH", f"{POLICIES}/{target['id']}", json={"description": "hand edit"}
    )
    assert response.status_code == 200
    body = plan_json(capsys, emulator, m)
    (change,) = body["changes"]
    (step,) = change["steps"]
    assert step["method"] == "PATCH"
    assert step["body"] == {"@odata.type": target["@odata.type"], "description": "managed"}
    assert [f["pointer"] for f in change["fields"]] == ["/spec/description"]


def test_reorder_plans_one_update_priorities(capsys, emulator, tmp_path):
    apply(capsys, emulator, two_policies(tmp_path), *UNPACED, "--state-dir", str(tmp_path / "s"))
    swapped = two_policies(tmp_path, pa=2, pb=1)
    body = plan_json(capsys, emulator, swapped)
    steps = [s for c in body["changes"] for s in c["steps"]]
    assert [(s["kind"], s["purpose"]) for s in steps] == [("action", "reorder")]
    apply(capsys, emulator, swapped, *UNPACED, "--state-dir", str(tmp_path / "s"))
    live = by_name(emulator)
    assert (live["Policy A"]["priority"], live["Policy B"]["priority"]) == (2, 1)
    assert plan_json(capsys, emulator, swapped)["changes"] == []


def test_assignment_change_plans_one_assign(capsys, emulator, tmp_path):
    apply(capsys, emulator, two_policies(tmp_path), *UNPACED, "--state-dir", str(tmp_path / "s"))
    changed = two_policies(tmp_path, gb=[GROUP_A, GROUP_B])
    body = plan_json(capsys, emulator, changed)
    steps = [s for c in body["changes"] for s in c["steps"]]
    assert [(s["kind"], s["purpose"]) for s in steps] == [("action", "assign")]
    assert len(steps[0]["body"]["officeConfigurationAssignments"]) == 2


def test_two_live_objects_with_one_name_stop_the_plan(capsys, emulator, tmp_path):
    for priority in (7, 8):
        raw(
            emulator,
            "POST",
            POLICIES,
            json={
                "@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
                "displayName": "Policy A",
                "priority": priority,
            },
        ).raise_for_status()
    result = run(capsys, "plan", str(two_policies(tmp_path)), "--graph-url", emulator.base_url)
    assert result.code == 1
    ids = sorted(p["id"] for p in live_policies(emulator) if p["displayName"] == "Policy A")
    assert ids[0] in result.err and ids[1] in result.err
    assert "Traceback" not in result.err


def test_failed_read_is_an_error_never_absent(capsys, make_emulator, tmp_path):
    emu = make_emulator(token="right-token")
    m = two_policies(tmp_path)
    result = run(capsys, "plan", str(m), "--graph-url", emu.base_url)
    assert result.code == 1
    assert "401" in result.err
    assert "to create" not in result.out
    assert writes(emu) == 0


def test_plan_survives_throttling_and_transient_failures(capsys, make_emulator, tmp_path):
    emu = make_emulator(fail_rate=0.2, random_seed=3)
    m = two_policies(tmp_path)
    body = plan_json(capsys, emu, m)
    assert body["summary"] == {"create": 2, "update": 0, "delete": 0}


def test_text_output_shows_old_and_new_values(capsys, emulator, tmp_path):
    m = two_policies(tmp_path)
    apply(capsys, emulator, m, *UNPACED, "--state-dir", str(tmp_path / "s"))
    target = by_name(emulator)["Policy A"]
    raw(emulator, "PATCH", f"{POLICIES}/{target['id']}", json={"description": "hand edit"})
    out = run(capsys, "plan", str(m), "--graph-url", emulator.base_url).out
    assert '~ description = "hand edit" -> "managed"' in out
    assert "Plan: 0 to create, 1 to update, 0 to delete." in out
