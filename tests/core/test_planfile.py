"""Plan files: round trip, checksum, format version, garbage."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from reconciler import planfile as plan_file
from reconciler.engine.planner import make_plan
from reconciler.errors import PlanFileError

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
