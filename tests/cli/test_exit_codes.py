"""Exit codes a pipeline branches on: 0 nothing to do, 1 any error (usage errors included,
never 2), 2 changes (plan --detailed-exitcode) or drift (each --fail-on finding)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import UNPACED, run, run_process
from tests.support.manifests import policy_doc, write_set
from tests.support.raw import by_name, raw
from tests.support.tenant import POLICIES, SECURITY_TYPE


@pytest.mark.parametrize(
    "argv",
    [
        ["plan"],  # a required argument missing
        ["plan", "manifests", "--no-such-flag"],
        ["plan", "manifests", "--detailed"],  # an abbreviation of --detailed-exitcode
        ["drift", "manifests", "--format", "yaml"],
        ["no-such-command"],
        ["emulator", "--write-limit", "ten"],
    ],
    ids=["missing-argument", "unknown-flag", "abbreviation", "bad-choice", "command", "emulator"],
)
def test_usage_errors_exit_1_with_a_hint(argv):
    result = run_process(*argv)
    assert result.code == 1, (result.code, result.err)
    assert result.err.startswith("error: "), result.err
    assert "hint: run `reconciler" in result.err and "Traceback" not in result.err


def test_no_arguments_print_the_whole_help_on_stderr_and_exit_1():
    result = run_process()
    assert result.code == 1 and result.out == ""
    for command in ("validate", "plan", "show", "apply", "drift", "export", "force-unlock"):
        assert command in result.err
    assert "exit codes:" in result.err


def test_debug_and_verbose_work_before_and_after_the_command():
    before = run_process("--debug", "validate", "manifests")
    after = run_process("validate", "manifests", "-v")
    assert before.code == after.code == 0, before.err + after.err


def test_every_command_has_a_description_examples_and_the_exit_codes():
    from reconciler.cli.commands.completion import commands
    from reconciler.cli.parser import build_parser

    parser = build_parser()
    names = [c.name for c in commands(parser) if c.name != "emulator"]
    assert len(names) >= 9
    for name in names:
        text = run_process(name, "--help").out
        assert "examples:" in text and "exit codes:" in text, name
        assert "  reconciler " + name in text, name


def test_a_closed_pipe_ends_quietly():
    """`reconciler schema | head -c 10`: the reader leaves early; no traceback, no noise."""
    proc = subprocess.run(
        f"{sys.executable} -m reconciler schema --plan | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.startswith("{")
    assert proc.stderr == "", proc.stderr


def _set(tmp_path: Path, *extra: str) -> Path:
    docs = [policy_doc("a", "Policy A", 1), policy_doc("b", "Policy B", 2), *extra]
    return write_set(tmp_path / "m", *docs)


def _drift(capsys, emulator, path: Path, *extra: str) -> int:
    argv = ["drift", str(path), "--graph-url", emulator.base_url, "--scope", "*/*", *extra]
    return run(capsys, *argv).code


def test_drift_exits_2_for_exactly_the_findings_fail_on_names(capsys, emulator, tmp_path):
    m = _set(tmp_path)
    applied = run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert applied.code == 0, applied.err
    assert _drift(capsys, emulator, m) == 0

    made = raw(
        emulator,
        "POST",
        POLICIES,
        json={"@odata.type": SECURITY_TYPE, "displayName": "By hand", "priority": 40},
    )
    assert made.status_code == 201
    assert _drift(capsys, emulator, m) == 2  # default: all three
    assert _drift(capsys, emulator, m, "--fail-on", "unmanaged") == 2
    assert _drift(capsys, emulator, m, "--fail-on", "drifted,missing") == 0

    a = by_name(emulator)["Policy A"]
    raw(emulator, "PATCH", f"{POLICIES}/{a['id']}", json={"description": "edited"})
    assert _drift(capsys, emulator, m, "--fail-on", "drifted") == 2
    assert _drift(capsys, emulator, m, "--fail-on", "missing") == 0

    b = by_name(emulator)["Policy B"]
    assert raw(emulator, "DELETE", f"{POLICIES}/{b['id']}").status_code == 204
    assert _drift(capsys, emulator, m, "--fail-on", "missing") == 2

    # The report still lists every finding; --fail-on only chooses the exit code.
    body = json.loads(
        run(
            capsys,
            "drift",
            str(m),
            "--graph-url",
            emulator.base_url,
            "--scope",
            "*/*",
            "--format",
            "json",
            "--fail-on",
            "missing",
        ).out
    )
    assert {r["status"] for r in body["resources"]} == {"drifted", "missing"}
    assert len(body["unmanaged"]) == 1


def test_an_unknown_fail_on_value_fails_before_any_read(capsys, emulator, tmp_path):
    before = emulator.request_count if hasattr(emulator, "request_count") else None
    result = run(
        capsys,
        "drift",
        str(_set(tmp_path)),
        "--graph-url",
        emulator.base_url,
        "--fail-on",
        "drifted,typo",
    )
    assert result.code == 1
    assert "--fail-on drifted,typo: 'typo' is not a finding" in result.err
    assert "hint: Use a comma-separated list of: drifted, missing, unmanaged." in result.err
    del before


def test_no_drift_agrees_with_an_empty_pruning_plan(capsys, emulator, tmp_path):
    """The README's promise: with the default --fail-on, drift exits 0 exactly when
    `plan --prune` over the same scope is empty."""
    m = _set(tmp_path)
    run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    plan = [
        "plan",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--scope",
        "*/*",
        "--prune",
        "--detailed-exitcode",
    ]
    assert _drift(capsys, emulator, m) == 0 and run(capsys, *plan).code == 0
    raw(
        emulator,
        "POST",
        POLICIES,
        json={"@odata.type": SECURITY_TYPE, "displayName": "By hand", "priority": 40},
    )
    assert _drift(capsys, emulator, m) == 2 and run(capsys, *plan).code == 2
