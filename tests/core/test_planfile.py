"""Plan files: round trip, checksum, format version, garbage."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from reconciler import planfile as plan_file
from reconciler.engine.planner import make_plan
from reconciler.errors import PlanFileError
from reconciler.values.canonical import sha256_json

from .builders import desired, live, obj, resource


@pytest.fixture
def saved(tmp_path):
    d = desired(resource("a", displayName="A", priority=1, description="new"))
    p = make_plan(
        d, live(obj("id-a", displayName="A", priority=1)), now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    path = tmp_path / "plan.json"
    plan_file.save(p, path)
    return p, path


def test_round_trip_is_equal(saved):
    original, path = saved
    assert plan_file.load(path) == original


def test_edited_plan_fails_its_checksum(saved):
    _, path = saved
    document = json.loads(path.read_text())
    document["plan"]["changes"][0]["steps"][0]["body"]["description"] = "sneaky"
    path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError, match="checksum mismatch"):
        plan_file.load(path)


def test_other_format_version_is_refused(saved):
    _, path = saved
    document = json.loads(path.read_text())
    document["plan"]["format_version"] = 99
    path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError, match="format version 99"):
        plan_file.load(path)


@pytest.mark.parametrize(
    "content", [b"", b"{", b"[]", b'{"plan": 1}', b"\xff\xfe", b'{"plan": {}}']
)
def test_garbage_is_a_plan_file_error(tmp_path, content):
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(PlanFileError):
        plan_file.load(path)


def test_truncated_plan_is_refused(saved):
    _, path = saved
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(PlanFileError):
        plan_file.load(path)


def _rewrite(path, edit):
    from reconciler.values.canonical import sha256_json

    document = json.loads(path.read_text())
    edit(document["plan"])
    document["checksum"] = sha256_json(document["plan"])  # a tamperer recomputes it
    path.write_text(json.dumps(document))


def test_a_rebuilt_plan_whose_step_targets_another_object_is_refused(saved):
    _, path = saved

    def aim_elsewhere(plan):
        plan["changes"][0]["steps"][0]["path"] = "/officeConfiguration/clientConfigurations/other"

    _rewrite(path, aim_elsewhere)
    with pytest.raises(PlanFileError, match="do not match its changes"):
        plan_file.load(path)


def test_a_rebuilt_plan_hiding_a_delete_in_an_update_is_refused(saved):
    _, path = saved

    def hide_delete(plan):
        step = plan["changes"][0]["steps"][0]
        step.update(kind="delete", method="DELETE", body=None)

    _rewrite(path, hide_delete)
    with pytest.raises(PlanFileError, match="kind 'delete' in a change of action 'update'"):
        plan_file.load(path)


def _rehashed(path, edit) -> None:
    """Edit the plan and recompute its checksum, as someone rebuilding a plan would."""
    document = json.loads(path.read_text())
    edit(document["plan"])
    document["checksum"] = sha256_json(document["plan"])
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(("version", "made_by"), [(1, "an older"), (3, "a newer")])
def test_a_plan_of_another_version_says_who_made_it(saved, version, made_by):
    _, path = saved
    _rehashed(path, lambda plan: plan.update(format_version=version))
    with pytest.raises(PlanFileError) as raised:
        plan_file.load(path)
    assert str(raised.value).endswith(
        f"plan format version {version} is not supported (made by {made_by} reconciler)"
    )
    assert raised.value.hint == "Run reconciler plan again."


def test_a_reorder_edited_to_name_an_unknown_collection_is_a_plan_file_error(tmp_path):
    d = desired(
        resource("a", displayName="A", priority=2), resource("b", displayName="B", priority=1)
    )
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-b", displayName="B", priority=2)
    )
    path = tmp_path / "plan.json"
    plan_file.save(make_plan(d, tenant, now=datetime(2026, 1, 1, tzinfo=UTC)), path)

    def elsewhere(plan):
        (reorder,) = [c for c in plan["changes"] if c["action"] == "reorder"]
        reorder["collection"] = "/nope"
        reorder["steps"][0]["path"] = "/nope/updatePriorities"

    _rehashed(path, elsewhere)
    with pytest.raises(PlanFileError, match="/nope has no ordering to set"):
        plan_file.load(path)


def test_a_reorder_whose_body_is_not_its_ordering_is_refused(tmp_path):
    d = desired(
        resource("a", displayName="A", priority=2), resource("b", displayName="B", priority=1)
    )
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-b", displayName="B", priority=2)
    )
    path = tmp_path / "plan.json"
    plan_file.save(make_plan(d, tenant, now=datetime(2026, 1, 1, tzinfo=UTC)), path)

    def swap(plan):
        (reorder,) = [c for c in plan["changes"] if c["action"] == "reorder"]
        reorder["steps"][0]["body"]["officeConfigurationPriorities"].reverse()

    _rehashed(path, swap)
    with pytest.raises(PlanFileError, match="does not carry the order the plan shows"):
        plan_file.load(path)


@pytest.mark.parametrize(
    ("content", "is_plan"),
    [
        (b'{"format_version": 1}', True),
        (b'\xef\xbb\xbf \t\r\n {"x": 1}', True),  # a BOM and blank space first
        (b"apiVersion: reconciler/v1\nkind: X\n", False),
        (b"", False),
        (b"\n" * 600 + b"{}", False),  # only the start of the file is read ...
        (b" " * 512 + b"{}", False),  # ... its first 512 bytes
        (b"X{}", False),  # anything else first: not a plan
    ],
)
def test_a_saved_plan_is_told_from_a_manifest_by_its_opening_brace(tmp_path, content, is_plan):
    path = tmp_path / "maybe.json"
    path.write_bytes(content)
    assert plan_file.looks_like_plan(path) is is_plan
    assert plan_file.looks_like_plan(str(path)) is is_plan


def test_a_file_that_cannot_be_read_is_not_a_plan(tmp_path):
    assert plan_file.looks_like_plan(tmp_path / "missing.json") is False
    assert plan_file.looks_like_plan(tmp_path) is False  # a folder
