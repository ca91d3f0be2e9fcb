"""`plan --replace ADDRESS`: a change Graph cannot make in place (a Settings Catalog policy's
platforms) planned as a replacement, in the planner (the change it makes, step by step, and
its refusals) and end to end through the CLI against the emulator (plan, save, apply: the
new policy with its assignments, the old one deleted, then nothing to do)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.engine.planner import _rounds, make_plan
from reconciler.engine.staleness import check_fresh
from reconciler.errors import PlanError, StalePlanError
from reconciler.load import manifests
from reconciler.values.desired import DesiredResource
from reconciler.values.plan import Action, SourceRef, StepKind, id_placeholder
from tests.core.builders import desired as desired_of
from tests.core.builders import live as live_of
from tests.core.builders import obj, resource
from tests.support.cli import UNPACED, run
from tests.support.tenant import GROUP_A, SECURITY

from .test_settings_catalog_e2e import MACROS, apply, plan, plan_json, policies, write_set
from .test_settings_catalog_e2e import manifest as e2e_manifest
from .test_settings_pure import KIND, NOW, PATH, live_policy, manifest, tenant

ADDRESS = f"{KIND}/macros"


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files are shown relative to where the command ran


def load(tmp_path: Path, **spec: Any):
    document = json.loads(manifest(**spec))
    document["metadata"]["id"] = "p-1"  # pinned: a policy of other platforms is still this one
    document["metadata"]["ignore"] = ["/description"]
    (tmp_path / "m").mkdir(exist_ok=True)
    (tmp_path / "m" / "p.yaml").write_text(json.dumps(document, indent=1), encoding="utf-8")
    return manifests.load(["m"])


# --- the planner ----------------------------------------------------------------------------


def test_a_replacement_creates_with_the_owned_fields_then_deletes_the_old_policy(tmp_path):
    wanted = load(
        tmp_path, platforms="macOS", description="kept", assignments=[{"groupId": GROUP_A}]
    )
    live = tenant(live_policy(description="portal"))
    plan = make_plan(wanted, live, now=NOW, replace=[ADDRESS])
    (change,) = plan.changes
    assert (change.address, change.kind, change.action) == (ADDRESS, KIND, Action.REPLACE)
    assert change.object_id == "p-1"
    assert change.display_name == "Office - block internet macros"  # the live policy's name
    assert change.note == (
        "replaced as asked (--replace): a new object is created, then this one deleted"
    )
    # the ignored description is neither owned nor compared
    assert change.declared == ("name", "platforms", "technologies", "settings", "assignments")
    assert change.ignore == ("/description",)
    # ... but the new policy is created like any other: the ignored field is sent, and shown
    assert [r.field for r in change.fields] == ["platforms", "assignments", "description"]
    assert change.fields[-1].after == "kept" and change.fields[-1].source is not None
    platforms = next(r for r in change.fields if r.field == "platforms")
    assert (platforms.before, platforms.after) == ("windows10", "macOS")
    assert platforms.source is not None and platforms.source.file == "m/p.yaml"
    assert {op["path"] for op in change.patch} >= {"/spec/platforms"}
    assert change.source == SourceRef(file="m/p.yaml", line=1, column=1)

    create, assign, delete = change.steps
    assert (create.kind, create.method, create.path) == (StepKind.CREATE, "POST", PATH)
    body: Any = create.body
    assert body["platforms"] == "macOS" and body["technologies"] == "mdm"
    assert body["name"] == "Office - block internet macros" and len(body["settings"]) == 2
    assert body["description"] == "kept"  # not the old policy's "portal"
    new = f"{PATH}/{id_placeholder(ADDRESS)}"
    assert (assign.kind, assign.path, assign.after) == (
        StepKind.ACTION,
        f"{new}/assign",
        (create.id,),
    )
    # the old policy goes last, once the new one and its assignments are written
    assert (delete.kind, delete.method, delete.path, delete.body) == (
        StepKind.DELETE,
        "DELETE",
        f"{PATH}/p-1",
        None,
    )
    assert delete.after == (create.id, assign.id) and delete.id == f"{ADDRESS}#delete"
    assert plan.cost.writes == 3


def test_a_saved_replacement_is_stale_once_the_old_policy_changed(tmp_path):
    wanted = load(tmp_path, platforms="macOS")
    plan = make_plan(wanted, tenant(live_policy()), now=NOW, replace=[ADDRESS])
    check_fresh(plan, tenant(live_policy()))  # the same tenant: fresh
    with pytest.raises(StalePlanError, match="changed since the plan"):
        check_fresh(plan, tenant(live_policy(description="edited in the portal")))


def test_a_replacement_is_planned_only_for_the_addresses_asked(tmp_path):
    wanted = load(tmp_path, platforms="windows10", description="kept")
    # nothing to change: a replace still creates anew (sending the ignored field) and deletes
    (change,) = make_plan(wanted, tenant(live_policy()), now=NOW, replace=[ADDRESS]).changes
    assert change.action == Action.REPLACE
    assert [(r.field, r.after) for r in change.fields] == [("description", "kept")]
    assert make_plan(wanted, tenant(live_policy()), now=NOW).changes == ()


def test_replacing_an_address_no_manifest_declares_is_refused(tmp_path):
    wanted = load(tmp_path)
    with pytest.raises(PlanError) as raised:
        make_plan(
            wanted, tenant(live_policy()), now=NOW, replace=[f"{KIND}/zz", f"{KIND}/other", ADDRESS]
        )
    assert str(raised.value) == f"--replace {KIND}/other: no manifest declares this address"


def test_a_kind_that_shares_an_ordering_cannot_be_replaced():
    wanted = desired_of(resource("a", displayName="A", priority=1, description="new"))
    live = tenant(obj("id-a", displayName="A", priority=1))
    with pytest.raises(PlanError) as raised:
        make_plan(wanted, live, now=NOW, replace=[f"{SECURITY}/a"])
    assert str(raised.value) == (
        f"{SECURITY}/a: a {SECURITY} shares an ordering and cannot be replaced"
    )
    assert raised.value.hint == "Delete it and plan again."


def test_the_tenant_singleton_cannot_be_replaced():
    wanted = desired_of(resource("office", "OfficeConfiguration", tenantUserCheckinSummary=None))
    with pytest.raises(PlanError) as raised:
        make_plan(wanted, live_of(), now=NOW, replace=["OfficeConfiguration/office"])
    assert str(raised.value) == (
        "OfficeConfiguration/office: /officeConfiguration is the tenant's one "
        "OfficeConfiguration and cannot be replaced"
    )
    assert raised.value.hint == "Plan without --replace: its fields are updated in place."


def test_a_create_only_change_without_replace_is_refused_at_its_line(tmp_path):
    wanted = load(tmp_path, platforms="macOS")
    with pytest.raises(PlanError) as raised:
        make_plan(wanted, tenant(live_policy()), now=NOW)
    text = (tmp_path / "m" / "p.yaml").read_text(encoding="utf-8")
    line = text[: text.index('"macOS"')].count("\n") + 1
    assert str(raised.value).startswith(f"m/p.yaml:{line}:")
    assert str(raised.value).endswith(
        f": {ADDRESS}: platforms cannot change once the policy exists ('windows10' -> 'macOS')"
    )
    assert raised.value.hint == (
        f"Change it back, or plan a replacement: --replace {ADDRESS} "
        "(creates the new policy with its assignments, then deletes the old one)."
    )


# --- end to end -----------------------------------------------------------------------------


def test_plan_replace_then_apply_swaps_the_policy_for_a_new_one(capsys, emulator, tmp_path):
    doc = e2e_manifest("macros", "Office - macros", MACROS, assignments=[{"groupId": GROUP_A}])
    root = write_set(tmp_path / "m", doc)
    apply(capsys, emulator, root, tmp_path)
    (old,) = policies(emulator).values()

    moved = json.loads(doc)
    moved["spec"]["technologies"] = "mdm,microsoftSense"
    moved["metadata"]["id"] = old["id"]
    root = write_set(tmp_path / "m", json.dumps(moved))
    refused = plan(capsys, emulator, root)
    assert refused.code == 1 and "technologies cannot change once the policy exists" in refused.err
    assert f"--replace {ADDRESS}" in refused.err and "Traceback" not in refused.err

    body = plan_json(capsys, emulator, root, "--replace", ADDRESS)
    (change,) = body["changes"]
    assert change["action"] == "replace" and change["object_id"] == old["id"]
    text = plan(capsys, emulator, root, "--replace", ADDRESS).out
    assert "replaced as asked (--replace)" in text

    saved = tmp_path / "replace.plan"
    assert plan(capsys, emulator, root, "--replace", ADDRESS, "--out", str(saved)).code == 0
    done = run(
        capsys, "apply", str(saved), "--graph-url", emulator.base_url,
        "--state-dir", str(tmp_path / "state"), *UNPACED,
    )  # fmt: skip
    assert done.code == 0, done.err
    (new,) = policies(emulator).values()
    assert new["id"] != old["id"] and new["technologies"] == "mdm,microsoftSense"
    assert [a["target"].get("groupId") for a in new["assignments"]] == [GROUP_A]
    # the pinned id is gone: the new policy is found by name, and nothing is left to do
    again = plan_json(capsys, emulator, root)
    assert again["changes"] == []


def test_a_replacement_costs_a_re_check_of_the_old_policy_before_each_later_round(tmp_path):
    """The estimate of apply's re-check reads (`recheck_reads`): a replacement creates in
    round 0, assigns in round 1, deletes in round 2, so the old policy is read again (GET
    and expanded assignments: 2 reads) before rounds 1 and 2; the moved Office policy's
    reorder (round 1) lists its collection once; each collection created into in round 0 is
    listed once; an update that writes only in round 0 and a create add nothing."""
    office = obj("id-a", displayName="A", priority=1)
    wanted = load(tmp_path, platforms="macOS", assignments=[{"groupId": GROUP_A}])
    both = desired_of(
        *wanted.resources,
        resource("a", displayName="A", priority=5, description="new"),  # patch + reorder
        resource("n", displayName="N", priority=7, policyPayload={"k": 1}),  # create, stream
    )
    live = tenant(live_policy(), office, obj("id-b", displayName="B", priority=2))
    plan = make_plan(both, live, now=NOW, replace=[ADDRESS])
    actions = [c.action for c in plan.changes]
    assert actions == [Action.REPLACE, Action.UPDATE, Action.CREATE, Action.REORDER]
    rounds = _rounds(list(plan.changes))
    replace = plan.changes[0]
    assert [rounds[s.id] for s in replace.steps] == [0, 1, 2]
    assert [rounds[s.id] for s in plan.changes[2].steps] == [0, 1]  # the stream after the POST
    assert plan.cost.recheck_reads == 2 * 2 + 1 + 2


def test_a_create_only_change_of_a_resource_without_positions_names_its_file():
    wanted = DesiredResource(
        kind=KIND,
        name="macros",
        id="p-1",
        spec=json.loads(manifest(platforms="macOS"))["spec"],
        file="m/p.yaml",
    )
    with pytest.raises(PlanError) as raised:
        make_plan(desired_of(wanted), tenant(live_policy()), now=NOW)
    assert str(raised.value).startswith(f"m/p.yaml: {ADDRESS}: platforms cannot change")
