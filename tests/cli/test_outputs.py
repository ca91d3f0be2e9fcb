"""Output paths are checked before the tenant is read (a one-line error naming the path,
no Graph request), and apply --format json gives the outcome of every step."""

from __future__ import annotations

import json
import os

import pytest

from tests.support.cli import UNPACED, run
from tests.support.manifests import policy_doc, write_set


@pytest.fixture
def blocked(tmp_path):
    """A path below a regular file: no folder can be made there, even as root."""
    wall = tmp_path / "wall"
    wall.write_text("not a folder", encoding="utf-8")
    return wall / "below"


@pytest.mark.parametrize(
    "extra",
    [
        lambda b: ["plan", "--out", str(b / "plan.json")],
        lambda b: ["drift", "--report", str(b / "drift.json")],
        lambda b: ["apply", "--auto-approve", "--state-dir", str(b)],
        lambda b: ["apply", "--auto-approve", "--audit-log", str(b / "audit.jsonl")],
    ],
    ids=["plan --out", "drift --report", "apply --state-dir", "apply --audit-log"],
)
def test_an_unwritable_output_fails_before_any_request(capsys, emulator, tmp_path, blocked, extra):
    m = write_set(tmp_path / "m", policy_doc("a", "A", 1))
    command, *rest = extra(blocked)
    result = run(capsys, command, str(m), "--graph-url", emulator.base_url, *rest)
    assert result.code == 1
    assert str(blocked) in result.err and "internal error" not in result.err
    assert len(result.err.strip().splitlines()) <= 2
    assert emulator.stats()["total"] == 0


def test_export_to_an_unwritable_folder_fails_before_any_request(capsys, emulator, blocked):
    result = run(capsys, "export", "--graph-url", emulator.base_url, "--out", str(blocked))
    assert result.code == 1 and str(blocked) in result.err
    assert emulator.stats()["total"] == 0


def test_apply_json_reports_every_step(capsys, emulator, tmp_path):
    m = write_set(
        tmp_path / "m", policy_doc("a", "A", 1, payload={"k": 1}), policy_doc("b", "B", 2)
    )
    result = run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        "--format",
        "json",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert result.code == 0, result.err
    body = json.loads(result.out)  # stdout is the document alone; the plan went to stderr
    assert body["ok"] is True and body["applied"] == len(body["steps"]) == 3
    assert {s["state"] for s in body["steps"]} == {"applied"}
    assert {s["method"] for s in body["steps"]} == {"POST", "PUT"}
    assert all(s["status"] in (200, 201, 204) for s in body["steps"])
    assert "Plan: 2 to create" in result.err
    assert os.path.exists(tmp_path / "s" / "audit.jsonl")
