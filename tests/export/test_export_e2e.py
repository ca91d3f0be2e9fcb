"""Export end to end against the emulator: the round trip (export, then plan and drift on the
result are empty), byte-identical re-export, file layout (one YAML per object named from
displayName, ids pinned, pretty JSON payloads, no reporting fields), --kind, and refusing to
overwrite a changed file without --force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.load import manifests
from tests.drift.support import apply
from tests.support.cli import run
from tests.support.manifests import policy_doc, write_set
from tests.support.raw import by_name, raw
from tests.support.tenant import CLIENT, GROUP_A, GROUP_B, POLICIES, SECURITY


def seeded(capsys, emulator, tmp_path: Path) -> None:
    """Three policies of two kinds, with payloads, groups and a duplicate-looking name."""
    docs = [
        policy_doc(
            "a",
            "Baseline: Security!",
            1,
            payload={"z": [1, 2], "a": {"b": "ü"}},
            groups=[GROUP_B, GROUP_A],
        ),
        policy_doc("b", "Word defaults", 2, kind=CLIENT, description=None),
        policy_doc("c", "baseline security", 3),
    ]
    m = write_set(tmp_path / "source", *docs)
    apply(capsys, emulator, m, tmp_path / "state")


def export(capsys, emulator, out: Path, *extra: str):
    return run(capsys, "export", "--graph-url", emulator.base_url, "--out", str(out), *extra)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_export_then_plan_and_drift_are_empty(capsys, emulator, tmp_path):
    seeded(capsys, emulator, tmp_path)
    out = tmp_path / "exported"
    result = export(capsys, emulator, out)
    assert result.code == 0, result.err
    assert result.out.strip() == f"Exported 3 object(s) to {out}: 5 file(s) written, 0 unchanged."
    # As hand-written manifests: the schema beside them, each YAML file pointing at it.
    assert (out / "reconciler.schema.json").is_file()
    for manifest in out.glob("*.yaml"):
        first = manifest.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=reconciler.schema.json", manifest
    plan = run(capsys, "plan", str(out), "--graph-url", emulator.base_url, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert plan.out.splitlines()[-1] == "No changes. The tenant matches the manifests."
    drift = run(capsys, "drift", str(out), "--graph-url", emulator.base_url)
    assert drift.code == 0, drift.out + drift.err


def test_export_layout_pins_ids_and_writes_pretty_payloads(capsys, emulator, tmp_path):
    seeded(capsys, emulator, tmp_path)
    out = tmp_path / "exported"
    assert export(capsys, emulator, out).code == 0
    live = by_name(emulator)
    assert len([p for p in snapshot(out) if p.startswith("payloads/")]) == 1
    desired = manifests.load([str(out)])
    by_display = {r.spec["displayName"]: r for r in desired.resources}
    assert set(by_display) == set(live)
    for display, resource in by_display.items():
        assert resource.id == live[display]["id"]
    text = (out / f"{by_display['Baseline: Security!'].name}.yaml").read_text(encoding="utf-8")
    assert "userCheckinSummary" not in text and "checkinStatuses" not in text
    assert "lastModifiedDateTime" not in text
    payload_file = out / "payloads" / f"{by_display['Baseline: Security!'].name}.policyPayload.json"
    payload = payload_file.read_text(encoding="utf-8")
    assert (
        payload
        == json.dumps({"a": {"b": "ü"}, "z": [1, 2]}, indent=2, sort_keys=True, ensure_ascii=False)
        + "\n"
    )
    assert by_display["Word defaults"].kind == CLIENT


def test_files_are_named_from_display_names_and_stay_unique(capsys, emulator, tmp_path):
    seeded(capsys, emulator, tmp_path)
    out = tmp_path / "exported"
    assert export(capsys, emulator, out).code == 0
    yamls = sorted(p.name for p in out.glob("*.yaml"))
    # "Baseline: Security!" and "baseline security" slug alike; the id disambiguates one.
    assert len(yamls) == 3 and "baseline-security.yaml" in yamls and "word-defaults.yaml" in yamls
    (suffixed,) = [y for y in yamls if y.startswith("baseline-security-")]
    assert by_name(emulator)["Baseline: Security!"]["id"].startswith(suffixed[18:-5])


def test_second_export_is_byte_identical_and_writes_nothing(capsys, emulator, tmp_path):
    seeded(capsys, emulator, tmp_path)
    out = tmp_path / "exported"
    assert export(capsys, emulator, out).code == 0
    first = snapshot(out)
    again = export(capsys, emulator, out)
    assert again.code == 0, again.err
    assert again.out.strip().endswith("0 file(s) written, 5 unchanged.")
    assert snapshot(out) == first


def test_changed_file_is_not_overwritten_without_force(capsys, emulator, tmp_path):
    seeded(capsys, emulator, tmp_path)
    out = tmp_path / "exported"
    assert export(capsys, emulator, out).code == 0
    target = out / "word-defaults.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "# my notes\n", encoding="utf-8")
    edited = snapshot(out)
    refused = export(capsys, emulator, out)
    assert refused.code == 1
    assert "word-defaults.yaml exists and differs" in refused.err and "--force" in refused.err
    assert snapshot(out) == edited  # nothing at all was written
    forced = export(capsys, emulator, out, "--force")
    assert forced.code == 0, forced.err
    assert "# my notes" not in target.read_text(encoding="utf-8")
    assert forced.out.strip().endswith("1 file(s) written, 4 unchanged.")


def test_kind_filter_and_stale_file_note(capsys, emulator, tmp_path):
    seeded(capsys, emulator, tmp_path)
    out = tmp_path / "exported"
    result = export(capsys, emulator, out, "--kind", CLIENT.lower())
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.glob("*.yaml")) == ["word-defaults.yaml"]
    target = by_name(emulator)["Word defaults"]
    assert raw(emulator, "DELETE", f"{POLICIES}/{target['id']}").status_code == 204
    again = export(capsys, emulator, out, "--kind", CLIENT)
    assert "note: 1 manifest file(s)" in again.err and "word-defaults.yaml" in again.err
    bad = export(capsys, emulator, out, "--kind", "Nope")
    assert bad.code == 1 and SECURITY in bad.err


def awkward_tenant() -> dict:
    """Payloads that are not JSON, reporting fields, odd names: what a real tenant holds."""
    from reconciler.emulator.surfaces.office.seeds import make_policy, make_tenant

    policies = [
        make_policy(
            display_name="Binary payload",
            priority=5,
            policy_payload=b"\x00\xffnot json",
            groups=[GROUP_B],
        ),
        make_policy(
            display_name="Ünïcode / slashes",
            priority=6,
            security=True,
            description="multi\nline: yes",
            user_preference_payload={"k": [1, {"x": None}]},
        ),
        make_policy(display_name="   ", priority=7),
    ]
    policies[0]["userCheckinSummary"] = {"succeededUserCount": 3, "failedUserCount": 1}
    policies[0]["checkinStatuses"] = [
        {"wasSuccessful": True, "userId": GROUP_A, "checkinDateTime": "2026-01-01T00:00:00Z"}
    ]
    return make_tenant(policies)


@pytest.mark.parametrize("streams", ["inline", "separate"])
def test_round_trip_of_an_awkward_tenant_in_both_stream_modes(
    capsys, make_emulator, tmp_path, streams
):
    emu = make_emulator(streams=streams, seed=awkward_tenant())
    out = tmp_path / "exported"
    result = export(capsys, emu, out)
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.glob("*.yaml")) == [
        "binary-payload.yaml",
        "policy.yaml",  # a blank displayName still gets a usable file name
        "unicode-slashes.yaml",  # accents folded, not dropped
    ]
    text = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.yaml"))
    assert "checkinStatuses" not in text and "userCheckinSummary" not in text
    plan = run(capsys, "plan", str(out), "--graph-url", emu.base_url, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert (
        run(capsys, "export", "--graph-url", emu.base_url, "--out", str(out))
        .out.strip()
        .endswith("0 file(s) written, 5 unchanged.")
    )
