"""Aspect: the JSON Schema that editors use is valid draft 2020-12, generated from the
models, accepts every example and rejects bad manifests; the committed copy is current.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from reconciler.load import manifest_schema, yaml_events

REPO = Path(__file__).resolve().parents[2]
BAD = Path(__file__).parent / "bad"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    document = manifest_schema.json_schema()
    Draft202012Validator.check_schema(document)
    return Draft202012Validator(document)


def documents(path: Path) -> list:
    docs, problems = yaml_events.parse(path.read_text(encoding="utf-8"))
    assert problems == []
    return [d.value for d in docs]


def messages(errors) -> list[str]:
    """Messages of errors and of their causes inside anyOf/oneOf."""
    out: list[str] = []
    for error in errors:
        out.append(error.message)
        out += messages(error.context or [])
    return out


# reconciler.yaml beside the manifests is the set's own settings (load/project.py), not one.
EXAMPLES = sorted(p for p in (REPO / "manifests").glob("*.yaml") if p.name != "reconciler.yaml")


@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_examples_satisfy_the_schema(validator, name):
    for document in documents(REPO / "manifests" / name):
        assert list(validator.iter_errors(document)) == []


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong-type-priority/security.yaml", "'high' is not of type 'integer'"),
        (
            "unknown-spec-field/m.yaml",
            "Additional properties are not allowed ('priorty' was unexpected)",
        ),
        ("bad-group-id/m.yaml", "'Finance Team' does not match"),
        ("missing-name/m.yaml", "'name' is a required property"),
        ("unknown-kind/m.yaml", "'WindowsOfficeClientSecurityConfig' is not one of"),
        ("payload-file-and-inline/m.yaml", "has too many properties"),
    ],
)
def test_schema_rejects_bad_manifests(validator, case, expected):
    (document,) = documents(BAD / case)
    assert any(expected in message for message in messages(validator.iter_errors(document)))


def test_committed_schema_is_current():
    committed = json.loads((REPO / "manifests/reconciler.schema.json").read_text(encoding="utf-8"))
    assert committed == manifest_schema.json_schema(), (
        "regenerate: reconciler schema > manifests/reconciler.schema.json"
    )


def test_examples_point_editors_at_the_schema():
    for path in EXAMPLES:
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=reconciler.schema.json\n"
        )


def test_schema_command_prints_the_same_schema():
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "schema"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == manifest_schema.json_schema()
