"""The fleet examples stay usable: the example fleet validates; the GitHub Actions matrix
workflow runs one drift job per shard (`--shard K/N` for K in 0..N-1) and a merge job after
all of them that joins every shard; the Kubernetes Indexed Job takes its completion index as
the shard with `completions` equal to the shard count; every reconciler command in them is
accepted by the real argument parser."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from reconciler.cli.parser import build_parser
from tests.support.cli import run

REPO = Path(__file__).resolve().parents[2]
FLEET = REPO / "examples" / "fleet"


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def reconciler_commands(script: str, values: dict[str, str]) -> list[list[str]]:
    """The argv of each `reconciler ...` command of a shell script, with `${{ x }}` and
    `$NAME` filled in from `values`."""
    joined = re.sub(r"\\\n\s*", " ", script)
    joined = re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values[m.group(1)], joined)
    joined = re.sub(r"\$(\w+)", lambda m: values.get(m.group(1), m.group(0)), joined)
    found = []
    for line in re.split(r"[;\n]", joined):
        line = line.strip()
        if line.startswith("reconciler "):
            argv = shlex.split(line.split(" || ")[0])[1:]
            found.append(argv)
    return found


def parses(argv: list[str]) -> None:
    build_parser().parse_args(argv)  # SystemExit (a failed test) when refused


def test_the_example_fleet_validates(capsys) -> None:
    found = run(capsys, "fleet", "validate", str(FLEET / "fleet.yaml"))
    assert found.code == 0, found.err
    assert "the manifests of 3 tenant(s) are valid" in found.out


def test_the_matrix_workflow_runs_every_shard_then_merges_them() -> None:
    workflow = load(FLEET / "github-actions" / "fleet-drift.yml")
    shards = int(workflow["env"]["SHARDS"])
    drift, merge = workflow["jobs"]["drift"], workflow["jobs"]["merge"]
    assert drift["strategy"]["matrix"]["shard"] == list(range(shards))
    assert drift["strategy"]["fail-fast"] is False
    assert merge["needs"] == "drift" and merge["if"] == "always()"
    seen = []
    for k in range(shards):
        values = {"matrix.shard": str(k), "SHARDS": str(shards)}
        for step in drift["steps"]:
            for argv in reconciler_commands(step.get("run", ""), values):
                parses(argv)
                seen.append(argv)
    assert [a[a.index("--shard") + 1] for a in seen] == [f"{k}/{shards}" for k in range(shards)]
    assert all(a[:2] == ["fleet", "drift"] for a in seen)
    merged = [
        argv for step in merge["steps"] for argv in reconciler_commands(step.get("run", ""), {})
    ]
    assert len(merged) == 1 and merged[0][:2] == ["fleet", "merge"]
    parses(merged[0])
    reports = {merged[0][i + 1] for i, a in enumerate(merged[0]) if a == "--report"}
    assert {Path(r).suffix for r in reports} == {".html", ".xml", ".sarif", ".md"}
    uploads = {s["with"]["name"] for s in drift["steps"] if "upload-artifact" in s.get("uses", "")}
    assert uploads == {"drift-${{ matrix.shard }}"}


def test_the_kubernetes_indexed_job_takes_its_completion_index_as_the_shard() -> None:
    cron = load(FLEET / "kubernetes" / "fleet-drift-job.yaml")
    job = cron["spec"]["jobTemplate"]["spec"]
    container = job["template"]["spec"]["containers"][0]
    shards = next(int(e["value"]) for e in container["env"] if e["name"] == "SHARDS")
    assert job["completionMode"] == "Indexed"
    assert job["completions"] == shards == job["parallelism"]
    assert container["command"] == ["/bin/sh", "-c"]
    script = container["args"][0]
    assert '--shard "$JOB_COMPLETION_INDEX/$SHARDS"' in script
    for k in range(shards):
        found = reconciler_commands(script, {"JOB_COMPLETION_INDEX": str(k), "SHARDS": str(shards)})
        assert len(found) == 1 and found[0][found[0].index("--shard") + 1] == f"{k}/{shards}"
        parses(found[0])
