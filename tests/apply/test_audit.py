"""The audit log: one JSON line per write, appended, with a UTC time, in a folder made for it."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from reconciler.apply.audit import AuditLog
from reconciler.errors import FileWriteError


def test_each_record_is_one_json_line_with_a_utc_time_appended(tmp_path):
    path = tmp_path / "deep" / "er" / "audit.jsonl"
    log = AuditLog(path)
    log.check()  # makes the folder, before the tenant is read
    log.record(address="A/a", step="A/a#patch", status=204, note="é")
    AuditLog(path).record(address="A/b", step="A/b#patch", status=500)
    first, second = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    assert list(first) == ["time", "address", "step", "status", "note"]
    assert (first["address"], first["note"], second["status"]) == ("A/a", "é", 500)
    when = datetime.fromisoformat(first["time"])
    assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert first["time"].endswith("+00:00") and len(first["time"].split(".")[1]) == len("123+00:00")


def test_without_a_path_nothing_is_written(tmp_path):
    AuditLog(None).record(address="A/a")
    assert list(tmp_path.iterdir()) == []


def test_an_audit_log_that_cannot_be_made_stops_before_anything_is_read(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    log = AuditLog(tmp_path / "file" / "audit.jsonl")
    with pytest.raises(FileWriteError) as caught:
        log.check()
    assert str(caught.value) == (
        f"{tmp_path / 'file' / 'audit.jsonl'}: cannot write the audit log: File exists"
    )
    assert caught.value.hint == (
        "Choose another --audit-log or --state-dir; nothing was read or written."
    )
