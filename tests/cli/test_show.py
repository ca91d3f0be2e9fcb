"""`reconciler show PLANFILE` renders a saved plan without Graph, in each format (golden
files), and a saved plan is known by its content, whatever its name.

Regenerate after an intended change: `UPDATE_GOLDEN=1 pytest tests/cli/test_show.py`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from reconciler import planfile
from tests.core.test_render_golden import sample_plan
from tests.support.cli import run

GOLDEN = Path(__file__).parent / "golden"


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "tfplan"  # no .json: recognised by content
    planfile.save(sample_plan(prune=True), path)
    return path


@pytest.mark.parametrize("fmt,suffix", [("text", "txt"), ("json", "json"), ("markdown", "md")])
def test_show_renders_a_saved_plan_in_each_format(capsys, saved, fmt, suffix):
    result = run(capsys, "show", str(saved), "--format", fmt, "--color", "never")
    assert result.code == 0, result.err
    _check(f"show.{suffix}", result.out)


def test_show_text_is_the_plan_text(capsys, saved):
    from reconciler.report import plan_formats

    shown = run(capsys, "show", str(saved), "--color", "never").out
    assert shown == plan_formats.text(plan_formats.plan_json(planfile.load(saved)))


def test_full_diff_shows_the_whole_document(capsys, saved):
    short = run(capsys, "show", str(saved), "--color", "never").out
    full = run(capsys, "show", str(saved), "--color", "never", "--full-diff").out
    assert "policyPayload/settings/0 (id=L_VBAWarningsPolicy)/value" in short
    assert "~ policyPayload:" in full
    whole = full.split("~ policyPayload:", 1)[1].split("~ assignments:", 1)[0].splitlines()
    assert [line.strip() for line in whole if line.strip()] == [
        "{",
        '"settings": [',
        "{",
        '"id": "L_VBAWarningsPolicy",',
        '-      "value": "2"',
        '+      "value": "3"',
        "}",
        "]",
        "}",
    ]


def test_color_always_paints_and_never_does_not(capsys, saved, monkeypatch):
    painted = run(capsys, "show", str(saved), "--color", "always").out
    assert "\033[31m  - WindowsOfficeClientSecurityConfiguration" in painted
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[" in run(capsys, "show", str(saved)).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run(capsys, "show", str(saved)).out
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert "\033[" not in run(capsys, "show", str(saved)).out


def test_the_plan_schema_validates_a_saved_plan(capsys, saved):
    schema = json.loads(run(capsys, "schema", "--plan").out)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(saved.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"checksum": "x", "plan": {}}, schema)


def test_the_drift_schema_is_the_reports_schema(capsys):
    from reconciler.report.drift_schema import DRIFT_JSON_SCHEMA

    assert json.loads(run(capsys, "schema", "--drift").out) == DRIFT_JSON_SCHEMA


def test_a_damaged_plan_is_named_as_such(capsys, saved):
    saved.write_text(saved.read_text(encoding="utf-8").replace('"priority"', '"Priority"', 1))
    result = run(capsys, "show", str(saved))
    assert result.code == 1 and "checksum mismatch" in result.err


def test_apply_of_a_missing_file_says_so(capsys, tmp_path):
    result = run(
        capsys, "apply", str(tmp_path / "nope.json"), "--graph-url", "http://127.0.0.1:9/beta"
    )
    assert result.code == 1
    assert f"error: {tmp_path / 'nope.json'}: no such file or directory" in result.err
    assert "error in manifests" not in result.err


def test_apply_takes_a_plan_by_content_and_refuses_target_with_it(capsys, saved):
    result = run(
        capsys, "apply", str(saved), "--target", "X/y", "--graph-url", "http://127.0.0.1:1/beta"
    )
    assert result.code == 1
    assert "--target applies to manifests; a saved plan already says what it changes" in result.err
