"""The GitHub Actions examples stay usable: each workflow parses, every reconciler command in
them (the inputs of the root action.yml, turned into a command line by the action's own
code) is accepted by the real argument parser, report paths match what is uploaded, and
credentials come only from OIDC and repository variables, never from the repository."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from integrations.github import run_action
from reconciler import __version__
from reconciler.cli.parser import build_parser

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "github-actions"
WORKFLOWS = sorted(EXAMPLES.glob("*.yml"))
ACTION = "m365-office-reconciler/reconciler"


def load(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def action_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in steps(workflow) if s.get("uses", "").startswith(ACTION + "@")]


def commands(workflow: dict[str, Any]) -> list[list[str]]:
    """The reconciler argv of every use of the action, with the action's default inputs."""
    defaults = {
        k: str(v.get("default", "")) for k, v in load(REPO / "action.yml")["inputs"].items()
    }
    return [run_action.command_line({**defaults, **s["with"]}) for s in action_steps(workflow)]


def test_there_are_the_four_workflows():
    assert [p.name for p in WORKFLOWS] == [
        "apply-on-merge.yml",
        "nightly-drift.yml",
        "plan-on-pull-request.yml",
        "validate.yml",
    ]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_reconciler_command_parses(path):
    found = commands(load(path))
    assert found, "the workflow does not use the action"
    parser = build_parser()
    for argv in found:
        try:
            parser.parse_args(argv)
        except SystemExit:
            pytest.fail(f"{path.name}: not a valid command: reconciler {shlex.join(argv)}")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_action_is_pinned_to_this_release(path):
    for step in action_steps(load(path)):
        assert step["uses"] == f"{ACTION}@v{__version__}"
        assert step["with"].get("version", __version__) == __version__


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_credentials_come_from_oidc_and_variables_only(path):
    workflow = load(path)
    text = path.read_text(encoding="utf-8")
    assert "client-secret" not in text and "RECONCILER_TOKEN" not in text
    assert "AZURE_CLIENT_SECRET" not in text and "azure/login" not in text
    assert "GITHUB_ENV" not in text  # nothing is exported to later steps
    for step, argv in zip(action_steps(workflow), commands(workflow), strict=True):
        if argv[0] == "validate":
            assert "--auth" not in argv and "env" not in step  # offline, no credentials
            continue
        # A fresh GitHub OIDC token for every Graph token: az (after azure/login) cannot
        # mint one once the job's first OIDC token expired (Azure/azure-cli#28708).
        assert argv[argv.index("--auth") + 1] == "github-oidc", argv
        assert workflow["permissions"]["id-token"] == "write"
        assert step["env"] == {
            "AZURE_TENANT_ID": "${{ vars.AZURE_TENANT_ID }}",
            "AZURE_CLIENT_ID": "${{ vars.AZURE_CLIENT_ID }}",
        }


def test_nightly_drift_uploads_the_reports_it_writes():
    workflow = load(EXAMPLES / "nightly-drift.yml")
    (drift,) = [c for c in commands(workflow) if c[0] == "drift"]
    reports = run_action.named_files(drift)
    uses = {s.get("uses", "").split("@")[0]: s for s in steps(workflow)}
    assert uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"] in reports
    assert uses["mikepenz/action-junit-report"]["with"]["report_paths"] in reports
    assert workflow["permissions"]["security-events"] == "write"
    assert "schedule" in workflow["on"]
    (fail,) = [s for s in steps(workflow) if s.get("name") == "Fail on drift"]
    assert fail["if"] == "steps.drift.outputs.exit-code == '2'"


def test_apply_on_merge_applies_the_saved_plan_behind_an_environment():
    workflow = load(EXAMPLES / "apply-on-merge.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    (plan,) = [c for c in commands(workflow) if c[0] == "plan"]
    (apply,) = [c for c in commands(workflow) if c[0] == "apply"]
    assert plan[plan.index("--out") + 1] == apply[1] == "plan.json"
    assert "--detailed-exitcode" in plan
    assert workflow["jobs"]["plan"]["outputs"]["changes"] == (
        "${{ steps.plan.outputs.exit-code == '2' }}"
    )
    assert workflow["jobs"]["apply"]["environment"] == "m365-production"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_plan_on_pull_request_comments_the_markdown_plan():
    workflow = load(EXAMPLES / "plan-on-pull-request.yml")
    (plan,) = commands(workflow)
    assert plan[plan.index("--format") + 1] == "markdown"
    (step,) = action_steps(workflow)
    assert step["with"]["stdout-file"] == "plan.md"
    assert workflow["permissions"]["pull-requests"] == "write"
    scripts = [s["with"]["script"] for s in steps(workflow) if "github-script" in s.get("uses", "")]
    assert scripts and "plan.md" in scripts[0] and "updateComment" in scripts[0]


def test_validate_runs_on_linux_and_windows():
    workflow = load(EXAMPLES / "validate.yml")
    job = workflow["jobs"]["validate"]
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["strategy"]["matrix"]["os"] == ["ubuntu-latest", "windows-latest"]
    assert [c[0] for c in commands(workflow)] == ["validate"]
