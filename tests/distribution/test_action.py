"""Aspect: the root action.yml is a working composite action.

Its file is checked (inputs, outputs, what it installs), and its run step
(`integrations/github/run_action.py`) runs for real: as a process with the environment
GitHub gives it (INPUT_* as action.yml maps them, GITHUB_OUTPUT, RUNNER_TEMP), against the
emulator, through plan (Markdown kept, plan saved), apply of that plan, drift with reports,
and two failures. Only GitHub's runner itself is not here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reconciler import __version__
from reconciler.cli.demo import demo_tenant

REPO = Path(__file__).resolve().parents[2]
ACTION = YAML(typ="safe").load((REPO / "action.yml").read_text(encoding="utf-8"))
STEP = REPO / "integrations" / "github" / "run_action.py"


def test_the_action_declares_its_inputs_and_outputs():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "command", "paths", "auth", "version", "args", "stdout-file", "working-directory",
        "python-version",
    }  # fmt: skip
    assert ACTION["inputs"]["command"]["required"] is True
    assert ACTION["inputs"]["auth"]["default"] == "github-oidc"
    assert ACTION["inputs"]["version"]["default"] == __version__
    for name, output in ACTION["outputs"].items():
        assert output["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
    assert set(ACTION["outputs"]) == {"exit-code", "reports", "plan-file", "stdout-file"}


def test_the_action_installs_this_project_and_runs_its_step():
    install, run = ACTION["runs"]["steps"][1:]
    assert install["env"]["RECONCILER_VERSION"] == "${{ inputs.version }}"
    assert '"m365-office-reconciler==$RECONCILER_VERSION"' in install["run"]
    assert '"$RECONCILER_SOURCE"' in install["run"]  # version: checkout
    assert run["id"] == "run"
    assert run["run"] == 'python "$GITHUB_ACTION_PATH/integrations/github/run_action.py"'
    # Every input the step reads reaches it: composite steps get no INPUT_* of their own.
    for name in ("command", "paths", "auth", "args", "stdout-file"):
        key = "INPUT_" + name.upper().replace("-", "_")
        assert run["env"][key] == f"${{{{ inputs.{name} }}}}"


def outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's two syntaxes: `key=value` and `key<<DELIMITER ... DELIMITER`."""
    found: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        heredoc = re.fullmatch(r"([\w-]+)<<(\S+)", line)
        if heredoc:
            key, delimiter = heredoc.groups()
            found[key] = "\n".join(iter(lambda: next(lines), delimiter))
        else:
            key, _, value = line.partition("=")
            found[key] = value
    return found


def action_step(
    cwd: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out = cwd / f"github-output-{len(list(cwd.glob('github-output-*')))}"
    out.write_text("")
    env = {
        **os.environ,
        **{"INPUT_" + k.upper(): v for k, v in inputs.items()},
        "GITHUB_OUTPUT": str(out),
        "RUNNER_TEMP": str(cwd / "runner-temp"),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    proc = subprocess.run(
        [sys.executable, str(STEP)], env=env, cwd=cwd, capture_output=True, text=True, timeout=180
    )
    return proc, outputs(out)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "manifests", tmp_path / "manifests")
    return tmp_path


def test_plan_apply_and_drift_through_the_action_step(make_emulator, workspace):
    url = make_emulator(seed=demo_tenant()).base_url
    common = f"--graph-url {url}"

    proc, out = action_step(
        workspace, COMMAND="plan", PATHS="manifests/", AUTH="auto", STDOUT_FILE="plan.md",
        ARGS=f"{common} --format markdown --detailed-exitcode --out plan.json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr  # exit 2 (changes) is a success
    assert out == {
        "exit-code": "2",
        "stdout-file": "plan.md",
        "reports": "plan.json",
        "plan-file": "plan.json",
    }
    assert "$ reconciler plan manifests/ --auth auto" in proc.stdout
    assert (workspace / "plan.md").read_text() in proc.stdout  # shown in the log as well
    assert "to create" in (workspace / "plan.md").read_text()

    proc, out = action_step(
        workspace, COMMAND="apply", PATHS="plan.json", AUTH="auto",
        ARGS=f"{common} --write-rate 0 --state-dir .reconciler",
    )  # fmt: skip
    assert proc.returncode == 0 and out["exit-code"] == "0", proc.stdout + proc.stderr
    assert out["stdout-file"] == str(workspace / "runner-temp" / "reconciler-apply.out")
    assert "Apply complete" in Path(out["stdout-file"]).read_text()

    proc, out = action_step(
        workspace, COMMAND="drift", PATHS="manifests/", AUTH="auto",
        ARGS=f"{common} --report 'reports/drift one.json' --report=reports/junit.xml",
    )  # fmt: skip
    # The demo's legacy policy is unmanaged inside the scope: drift (2), the step succeeds.
    assert proc.returncode == 0 and out["exit-code"] == "2", proc.stdout + proc.stderr
    assert out["reports"] == "reports/drift one.json\nreports/junit.xml"
    assert out["plan-file"] == ""


def test_an_error_fails_the_step_and_still_reports_the_exit_code(workspace):
    proc, out = action_step(
        workspace, COMMAND="plan", PATHS="manifests/", AUTH="auto",
        ARGS="--graph-url http://graph.example.com/beta",
    )  # fmt: skip
    assert proc.returncode == 1
    assert out["exit-code"] == "1"
    assert "::error::reconciler plan failed (exit 1)" in proc.stdout
    assert "error: " in proc.stderr  # reconciler's own one-line message, in the log


def test_a_bad_command_input_is_one_error_line(workspace):
    proc, out = action_step(workspace, COMMAND="deploy", PATHS="manifests/")
    assert proc.returncode == 1 and out == {}
    assert proc.stdout.strip() == (
        "::error::reconciler action: input 'command' must be one of validate, plan, apply, "
        "drift, export, schema, got 'deploy'"
    )


def test_offline_commands_take_no_auth_and_export_no_paths():
    from integrations.github.run_action import command_line

    inputs = {"paths": "manifests/ 'more manifests'", "auth": "github-oidc", "args": "--out x"}
    assert command_line({**inputs, "command": "validate"}) == [
        "validate", "manifests/", "more manifests", "--out", "x",
    ]  # fmt: skip
    assert command_line({**inputs, "command": "export"}) == [
        "export", "--auth", "github-oidc", "--out", "x",
    ]  # fmt: skip
