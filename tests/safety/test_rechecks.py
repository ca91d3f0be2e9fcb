"""Someone else changes the tenant while an apply runs, in-process against the emulator (the
change is made by a hook on the emulator's write log, at an exact point): the per-round
re-checks stop the apply before its next write and say what changed (a member of a
reordered collection, a field of the object being replaced, its deletion), and a policy of
the same name created at the same moment makes the apply remove its own copy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.emulator import make_policy, make_tenant
from tests.settings_catalog.test_settings_catalog_e2e import MACROS, manifest, policies
from tests.support.cli import UNPACED, run
from tests.support.manifests import policy_doc, write_set
from tests.support.tenant import GROUP_A, SECURITY_TYPE

CATALOG = "/deviceManagement/configurationPolicies"
ADDRESS = "SettingsCatalogPolicy/macros"


def on_write(emu: Any, when: Callable[[str, str], bool], then: Callable[[], None]) -> None:
    """Run `then` once, right after the first write for which `when(method, path)` holds."""
    log_write = emu.app.stats.log_write
    done: list[bool] = []

    def meanwhile(method: str, path: str, status: int | None) -> None:
        log_write(method, path, status)
        if not done and when(method, path):
            done.append(True)
            then()

    emu.app.stats.log_write = meanwhile


def apply(capsys: Any, emu: Any, target: Path, tmp_path: Path, state: str = "state") -> Any:
    return run(
        capsys, "apply", str(target), "--graph-url", emu.base_url, "--auto-approve",
        "--state-dir", str(tmp_path / state), *UNPACED,
    )  # fmt: skip


def audit(tmp_path: Path) -> list[dict[str, Any]]:
    text = (tmp_path / "state" / "audit.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def catalog(emu: Any) -> Any:
    return emu.tenant.surface("settings_catalog").store


def test_a_policy_added_to_a_reordered_collection_stops_the_apply(capsys, make_emulator, tmp_path):
    seed = make_tenant(
        [make_policy(display_name="A", priority=1, description="new", security=True)]
    )
    emu = make_emulator(seed=seed)
    # A new policy takes priority 1 and A moves to 2: the create, then the ordering call.
    m = write_set(
        tmp_path / "m",
        policy_doc("a", "A", 2, description="new"),
        policy_doc("n", "N", 1, description="new"),
    )
    on_write(
        emu,
        lambda method, path: method == "POST" and path.endswith("/clientConfigurations"),
        lambda: emu.store.create_policy(SECURITY_TYPE, {"displayName": "By hand", "priority": 70}),
    )
    result = apply(capsys, emu, m, tmp_path)
    assert result.code == 1
    by_hand = next(p["id"] for p in emu.store.policies() if p["displayName"] == "By hand")
    assert (
        "priorities:/officeConfiguration/clientConfigurations: "
        f"{by_hand.lower()} joined, left or moved in /officeConfiguration/clientConfigurations"
    ) in result.err + result.out
    assert "Apply stopped: the tenant changed during the apply" in result.err + result.out
    assert "hint: run reconciler plan again to see the tenant as it is now" in result.err
    paths = [w["path"] for w in emu.stats()["write_log"]]
    assert not any(p.endswith("updatePriorities") for p in paths), paths


def _moving(capsys: Any, make_emulator: Any, tmp_path: Path, meanwhile: Any = None) -> None:
    """A (1) moves to 3 behind the new N (1), B stays at 2: N's create (round 0, on a
    temporary priority), then the ordering call (round 1). `meanwhile` runs after the
    create. The apply succeeds and leaves A 3, B 2, N 1."""
    seed = make_tenant(
        [
            make_policy(display_name="A", priority=1, description="new", security=True),
            make_policy(display_name="B", priority=2, description="new", security=True),
        ]
    )
    emu = make_emulator(seed=seed)
    m = write_set(
        tmp_path / "m",
        policy_doc("a", "A", 3, description="new"),
        policy_doc("b", "B", 2, description="new"),
        policy_doc("n", "N", 1, description="new"),
    )
    if meanwhile is not None:
        on_write(emu, _creating_office, lambda: meanwhile(emu))
    result = apply(capsys, emu, m, tmp_path)
    assert result.code == 0, result.err
    assert {p["displayName"]: p["priority"] for p in emu.store.policies()} == {
        "A": 3,
        "B": 2,
        "N": 1,
    }


def _creating_office(method: str, path: str) -> bool:
    return method == "POST" and path.endswith("/clientConfigurations")


def test_the_apply_own_moves_and_creates_do_not_trip_the_ordering_re_check(
    capsys, make_emulator, tmp_path
):
    _moving(capsys, make_emulator, tmp_path)


def test_another_apply_making_the_same_moves_does_not_stop_this_one(
    capsys, make_emulator, tmp_path
):
    def same_move(emu: Any) -> None:  # the other apply moves A where the plan puts it
        a = next(p["id"] for p in emu.store.policies() if p["displayName"] == "A")
        emu.store.update_priorities([(a, 3)])

    _moving(capsys, make_emulator, tmp_path, same_move)


def _replacing(capsys, emu, tmp_path: Path, *also: str) -> tuple[str, Path]:
    """A Settings Catalog policy applied, then a saved plan that replaces it (its
    technologies changed) and creates the policies `also`: the new policy is created
    (round 0), assigned (1), the old one deleted (2). Returns the old policy's id and the
    plan."""
    doc = manifest("macros", "Office - macros", MACROS, assignments=[{"groupId": GROUP_A}])
    root = write_set(tmp_path / "m", doc)
    assert apply(capsys, emu, root, tmp_path, state="first").code == 0
    (old,) = policies(emu).values()
    moved = json.loads(doc)
    moved["spec"]["technologies"] = "mdm,microsoftSense"
    moved["metadata"]["id"] = old["id"]
    root = write_set(tmp_path / "m", *(f"{d}\n" for d in (json.dumps(moved), *also)))
    saved = tmp_path / "replace.plan"
    made = run(
        capsys, "plan", str(root), "--graph-url", emu.base_url, "--replace", ADDRESS,
        "--out", str(saved),
    )  # fmt: skip
    assert made.code == 0, made.err
    return old["id"], saved


def _creating_in_catalog(method: str, path: str) -> bool:
    return method == "POST" and path.rstrip("/").endswith(CATALOG)


def test_an_edit_of_the_policy_being_replaced_stops_the_apply_before_it_is_deleted(
    capsys, emulator, tmp_path
):
    # a new policy assigned in the same round, whose address sorts first, is no reason to
    # skip the re-check of the one being replaced
    new = manifest("aaa", "Office - aaa", MACROS, assignments=[{"groupId": GROUP_A}])
    old, saved = _replacing(capsys, emulator, tmp_path, new)
    store = catalog(emulator)
    on_write(emulator, _creating_in_catalog, lambda: store.replace(old, {"description": "hand"}))
    result = apply(capsys, emulator, saved, tmp_path)
    assert result.code == 1
    assert f"{ADDRESS}: description was changed by someone else" in result.err + result.out
    assert old in policies_by_id(emulator) and len(policies_by_id(emulator)) == 3  # not deleted
    outcomes = {e["step"]: e["outcome"] for e in audit(tmp_path) if e["event"] == "outcome"}
    assert f"{ADDRESS}#delete" not in outcomes and f"{ADDRESS}#assign" not in outcomes


def test_a_rename_of_the_policy_being_replaced_names_the_field(capsys, emulator, tmp_path):
    old, saved = _replacing(capsys, emulator, tmp_path)
    store = catalog(emulator)
    on_write(emulator, _creating_in_catalog, lambda: store.replace(old, {"name": "Renamed"}))
    result = apply(capsys, emulator, saved, tmp_path)
    assert result.code == 1
    assert f"{ADDRESS}: name was changed by someone else" in result.err + result.out


def test_a_deletion_of_the_policy_being_replaced_stops_the_apply(capsys, emulator, tmp_path):
    old, saved = _replacing(capsys, emulator, tmp_path)
    store = catalog(emulator)
    on_write(emulator, _creating_in_catalog, lambda: store.delete(old))
    result = apply(capsys, emulator, saved, tmp_path)
    assert result.code == 1
    assert f"{ADDRESS}: {old} was deleted" in result.err + result.out


def test_a_replacement_nobody_disturbs_is_re_checked_and_completes(capsys, emulator, tmp_path):
    old, saved = _replacing(capsys, emulator, tmp_path)
    result = apply(capsys, emulator, saved, tmp_path)
    assert result.code == 0, result.err
    (new,) = policies(emulator).values()
    assert new["id"] != old and new["technologies"] == "mdm,microsoftSense"


def policies_by_id(emu: Any) -> set[str]:
    return {p["id"] for p in catalog(emu).policies()}  # (old and new share a name)


def test_a_policy_of_the_same_name_created_at_the_same_moment_makes_the_apply_remove_its_own(
    capsys, emulator, tmp_path
):
    root = write_set(tmp_path / "m", manifest("macros", "Office - macros", MACROS))
    store = catalog(emulator)

    def another_apply() -> None:  # the same policy, created by another machine's apply
        (ours,) = store.policies()
        copy = {k: ours[k] for k in ("name", "description", "platforms", "technologies")}
        store.create({**copy, "roleScopeTagIds": ["0"], "settings": ours["settings"]})

    on_write(emulator, _creating_in_catalog, another_apply)
    result = apply(capsys, emulator, root, tmp_path)
    assert result.code == 1
    (theirs,) = store.policies()  # only the other apply's copy is left
    text = result.err + result.out
    assert (
        f"another apply created the same policies at the same time: {ADDRESS} ({theirs['id']}); "
        "this apply removed its own copies"
    ) in text
    lines = [e for e in audit(tmp_path) if e["step"] == f"{ADDRESS}#create:compensate"]
    assert [(e["event"], e["method"]) for e in lines] == [("sent", "DELETE"), ("outcome", "DELETE")]
    assert lines[1]["outcome"] == "compensated" and lines[1]["status"] == 204
    assert lines[0]["path"] == lines[1]["path"] != f"{CATALOG}/{theirs['id']}"
    assert lines[0]["path"].startswith(f"{CATALOG}/")
