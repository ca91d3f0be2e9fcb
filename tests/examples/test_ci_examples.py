"""The GitHub Actions examples stay usable: each workflow parses, every `reconciler` command in
them is accepted by the real argument parser, report paths match what is uploaded, and
credentials come only from OIDC and repository variables, never from the repository."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reconciler.cli.parser import build_parser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "github-actions"
WORKFLOWS = sorted(EXAMPLES.glob("*.yml"))
COMMAND = re.compile(r"\breconciler (?:plan|apply|drift|export|validate)\b[^>\n]*")


def load(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def commands(workflow: dict[str, Any]) -> list[list[str]]:
    found = []
    for step in steps(workflow):
        script = step.get("run", "").replace("\\\n", " ")
        found += [shlex.split(match) for match in COMMAND.findall(script)]
    return found


def test_there_are_the_three_workflows():
    assert [p.name for p in WORKFLOWS] == [
        "apply-on-merge.yml",
        "nightly-drift.yml",
        "plan-on-pull-request.yml",
    ]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_reconciler_command_parses(path):
    found = commands(load(path))
    assert found, "no reconciler command in the workflow"
    parser = build_parser()
    for argv in found:
        try:
            parser.parse_args(argv[1:])
        except SystemExit:
            pytest.fail(f"{path.name}: not a valid command: {shlex.join(argv)}")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_credentials_come_from_oidc_and_variables_only(path):
    workflow = load(path)
    text = path.read_text(encoding="utf-8")
    assert workflow["permissions"]["id-token"] == "write"
    logins = [s for s in steps(workflow) if s.get("uses", "").startswith("azure/login@")]
    assert logins
    for login in logins:
        assert set(login["with"]) == {"client-id", "tenant-id", "allow-no-subscriptions"}
        assert login["with"]["client-id"] == "${{ vars.AZURE_CLIENT_ID }}"
        assert login["with"]["tenant-id"] == "${{ vars.AZURE_TENANT_ID }}"
    assert "client-secret" not in text and "RECONCILER_TOKEN" not in text
    # Tokens from the azure/login session, refreshed as needed (a raw token lasts an hour).
    for argv in commands(workflow):
        assert "--auth" in argv and argv[argv.index("--auth") + 1] == "azure-cli", argv
    # The token is read in the one step that uses it, never exported to later steps.
    assert "GITHUB_ENV" not in text


def test_nightly_drift_uploads_the_reports_it_writes():
    workflow = load(EXAMPLES / "nightly-drift.yml")
    (drift,) = [c for c in commands(workflow) if c[1] == "drift"]
    reports = [drift[i + 1] for i, arg in enumerate(drift) if arg == "--report"]
    uses = {s.get("uses", "").split("@")[0]: s for s in steps(workflow)}
    assert uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"] in reports
    assert uses["mikepenz/action-junit-report"]["with"]["report_paths"] in reports
    assert workflow["permissions"]["security-events"] == "write"
    assert "schedule" in workflow["on"]


def test_apply_on_merge_applies_the_saved_plan_behind_an_environment():
    workflow = load(EXAMPLES / "apply-on-merge.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    plan_cmds = [c for c in commands(workflow) if c[1] == "plan"]
    apply_cmds = [c for c in commands(workflow) if c[1] == "apply"]
    assert plan_cmds[0][plan_cmds[0].index("--out") + 1] == apply_cmds[0][2] == "plan.json"
    assert workflow["jobs"]["apply"]["environment"] == "m365-production"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_plan_on_pull_request_comments_the_markdown_plan():
    workflow = load(EXAMPLES / "plan-on-pull-request.yml")
    (plan,) = commands(workflow)
    assert plan[plan.index("--format") + 1] == "markdown"
    assert workflow["permissions"]["pull-requests"] == "write"
    scripts = [s["with"]["script"] for s in steps(workflow) if "github-script" in s.get("uses", "")]
    assert scripts and "plan.md" in scripts[0] and "updateComment" in scripts[0]
