"""Aspect: the Azure DevOps template, the container image and the pre-commit hook are what
their docs say. No Azure DevOps agent or container runtime here: the pipeline files are
parsed and every reconciler command in them goes through the real argument parser; the
Dockerfile's build stage is replayed (its COPY lines, then the wheel build); the hook's
command runs as pre-commit would run it."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reconciler import __version__
from reconciler.cli.parser import build_parser
from tests.distribution.wheels import build_wheel, copy_sources

REPO = Path(__file__).resolve().parents[2]
PIPELINES = REPO / "integrations" / "azure-pipelines"


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


# --- Azure DevOps ---------------------------------------------------------------------------

TEMPLATE = load(PIPELINES / "stages.yml")
DEFAULTS = {p["name"]: p.get("default", f"<{p['name']}>") for p in TEMPLATE["parameters"]}


def expand(text: str) -> str:
    """Template parameters by their defaults (required ones as <name>), macros as <Name>."""
    text = re.sub(r"\$\{\{\s*parameters\.(\w+)\s*\}\}", lambda m: str(DEFAULTS[m.group(1)]), text)
    return re.sub(r"\$\(([\w.]+)\)", lambda m: f"<{m.group(1)}>", text)


def stage(name: str) -> dict[str, Any]:
    (found,) = [s for s in TEMPLATE["stages"] if s["stage"] == name]
    return found


def job_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    if "deployment" in job:
        return job["strategy"]["runOnce"]["deploy"]["steps"]
    return job["steps"]


def reconciler_steps(name: str) -> list[tuple[dict[str, Any], list[str]]]:
    found = []
    for job in stage(name)["jobs"]:
        for step in job_steps(job):
            for line in step.get("script", "").splitlines():
                if line.strip().startswith("reconciler ") and "--version" not in line:
                    command = line.split(" > ")[0]  # without the redirection of stdout
                    found.append((step, shlex.split(expand(command))[1:]))
    return found


def test_the_template_has_plan_apply_and_drift_stages():
    assert [s["stage"] for s in TEMPLATE["stages"]] == ["plan", "apply", "drift"]
    assert {"tenantId", "clientId", "serviceConnectionId"} <= {
        p["name"] for p in TEMPLATE["parameters"] if "default" not in p
    }
    assert DEFAULTS["version"] == __version__


@pytest.mark.parametrize("name", ["plan", "apply", "drift"])
def test_every_command_parses_and_signs_in_with_the_service_connection(name):
    parser = build_parser()
    (step, argv), *more = reconciler_steps(name)
    assert not more
    parser.parse_args(argv)  # exits (fails the test) on a bad command
    assert argv[0] == name and argv[argv.index("--auth") + 1] == "azure-pipelines"
    assert step["env"] == {
        "AZURE_TENANT_ID": "${{ parameters.tenantId }}",
        "AZURE_CLIENT_ID": "${{ parameters.clientId }}",
        "RECONCILER_SERVICE_CONNECTION_ID": "${{ parameters.serviceConnectionId }}",
        "SYSTEM_ACCESSTOKEN": "$(System.AccessToken)",
    }


def test_plan_runs_on_pull_requests_and_apply_applies_its_saved_plan_after_approval():
    ((_, plan),) = reconciler_steps("plan")
    ((_, apply),) = reconciler_steps("apply")
    assert "--detailed-exitcode" in plan
    assert plan[plan.index("--out") + 1] == "<Build.ArtifactStagingDirectory>/plan.json"
    published = [s for s in job_steps(stage("plan")["jobs"][0]) if "publish" in s]
    assert published[0]["publish"].endswith("/plan.json")
    (job,) = stage("apply")["jobs"]
    assert job["environment"] == "${{ parameters.environment }}"  # approvals live there
    downloaded = [s for s in job_steps(job) if "download" in s]
    assert downloaded[0]["artifact"] == published[0]["artifact"]
    assert apply[1] == f"<Pipeline.Workspace>/{published[0]['artifact']}/plan.json"
    condition = stage("apply")["condition"]
    assert "refs/heads/main" in condition and "'PullRequest'" in condition
    assert "dependencies.plan.outputs['plan.plan.changes']" in condition
    assert "'Schedule'" in stage("plan")["condition"]


def test_nightly_drift_publishes_the_junit_report_it_writes():
    ((_, drift),) = reconciler_steps("drift")
    reports = [drift[i + 1] for i, a in enumerate(drift) if a == "--report"]
    steps = job_steps(stage("drift")["jobs"][0])
    (publish,) = [s for s in steps if s.get("task") == "PublishTestResults@2"]
    assert publish["inputs"]["testResultsFormat"] == "JUnit"
    assert expand(publish["inputs"]["testResultsFiles"]) in reports
    assert expand(publish["inputs"]["testResultsFiles"]).endswith(".xml")
    assert stage("drift")["condition"] == "eq(variables['Build.Reason'], 'Schedule')"


def test_the_example_pipeline_uses_the_template_at_this_release():
    pipeline = load(REPO / "examples" / "azure-pipelines" / "azure-pipelines.yml")
    (repository,) = pipeline["resources"]["repositories"]
    assert repository["ref"] == f"refs/tags/v{__version__}"
    (use,) = pipeline["stages"]
    path, _, alias = use["template"].partition("@")
    assert alias == repository["repository"] and (REPO / path).is_file()
    required = {p["name"] for p in TEMPLATE["parameters"] if "default" not in p}
    assert required <= set(use["parameters"]) <= set(DEFAULTS)
    assert pipeline["schedules"][0]["always"] is True
    install = load(PIPELINES / "install-steps.yml")
    assert '"m365-office-reconciler==${{ parameters.version }}"' in install["steps"][1]["script"]


# --- the container image --------------------------------------------------------------------

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def test_the_image_is_multi_stage_slim_and_runs_as_a_user():
    build, runtime = stages()
    assert re.fullmatch(r"python:\$\{PYTHON_VERSION\}-slim AS build", build[0][1])
    assert re.fullmatch(r"python:\$\{PYTHON_VERSION\}-slim AS runtime", runtime[0][1])
    assert "ARG PYTHON_VERSION=3.1" in DOCKERFILE
    users = [args for name, args in runtime if name == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert ("ENTRYPOINT", '["reconciler"]') in runtime  # exec form: signals reach reconciler


def test_the_runtime_installs_only_the_wheel_built_from_the_checkout():
    build, runtime = stages()
    runs = " ".join(args for name, args in build if name == "RUN")
    assert "pip wheel" in runs and "--no-deps --wheel-dir /wheels ." in runs
    assert ("COPY", "--from=build /wheels /wheels") in runtime
    (install,) = [args for name, args in runtime if name == "RUN"]
    assert "--no-index --find-links /wheels /wheels/m365_office_reconciler-*.whl" in install
    assert "rm -rf /wheels" in install  # no wheel cache left in the image


def test_the_build_stage_copies_all_the_wheel_needs(tmp_path):
    """Replay the build stage's COPY lines into an empty folder and build the wheel there."""
    build, _ = stages()
    sources = [s for name, args in build if name == "COPY" for s in args.split()[:-1]]
    wheel = build_wheel(copy_sources(tmp_path / "src", sources), tmp_path / "wheels")
    assert wheel.name.startswith("m365_office_reconciler-")
    with zipfile.ZipFile(wheel) as archive:
        assert "reconciler/cli/__init__.py" in archive.namelist()


# --- pre-commit -----------------------------------------------------------------------------


def test_the_pre_commit_hook_validates_the_whole_set():
    (hook,) = load(REPO / ".pre-commit-hooks.yaml")
    assert hook["id"] == "reconciler-validate"
    assert hook["entry"] == "reconciler validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is False  # the set is checked across files
    files = re.compile(hook["files"])
    assert files.search("manifests/security.yaml") and files.search("payloads/macro.json")
    assert not files.search("README.md")
    # What pre-commit runs: the entry, then the args, from the repository root.
    argv = shlex.split(hook["entry"]) + hook["args"]
    script = Path(sys.executable).with_name("reconciler")
    proc = subprocess.run(
        [str(script), *argv[1:]], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Valid: ")
