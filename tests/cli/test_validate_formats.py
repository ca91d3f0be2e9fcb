"""`validate --format json|github`: the same issues as the text, for machines and for pull
request annotations."""

from __future__ import annotations

import json

from tests.support.cli import run

BAD = """apiVersion: reconciler/v1
kind: WindowsOfficeClientSecurityConfiguration
metadata:
  name: a
spec:
  displayName: "A, with: punctuation"
  priority: one
"""


def _bad_set(tmp_path):
    root = tmp_path / "m"
    root.mkdir()
    (root / "bad.yaml").write_text(BAD, encoding="utf-8")
    return root


def test_json_lists_every_issue_with_its_position(capsys, tmp_path):
    result = run(capsys, "validate", str(_bad_set(tmp_path)), "--format", "json")
    assert result.code == 1
    body = json.loads(result.out)
    assert body["valid"] is False
    (issue,) = body["issues"]
    assert issue["file"].endswith("bad.yaml") and (issue["line"], issue["column"]) == (7, 13)
    assert issue["path"] == "spec.priority"


def test_json_of_a_valid_set(capsys):
    body = json.loads(run(capsys, "validate", "manifests", "--format", "json").out)
    assert body["valid"] is True and body["resources"] >= 3 and body["issues"] == []


def test_github_annotations_are_workflow_commands_on_the_line(capsys, tmp_path):
    result = run(capsys, "validate", str(_bad_set(tmp_path)), "--format", "github")
    assert result.code == 1
    (line,) = result.out.splitlines()
    assert line.startswith("::error file=") and ",line=7,col=13,title=reconciler validate::" in line
    assert line.split("::", 2)[2].startswith("spec.priority: ")
    assert "\n" not in line.split("::", 2)[2]


def test_github_escapes_what_would_end_a_property(capsys, tmp_path):
    from reconciler.cli.commands.validate import _annotation
    from reconciler.errors import ManifestIssue

    text = _annotation(ManifestIssue("a,b:c.yaml", 1, 2, "", "50% bad\nsecond line"))
    assert (
        text
        == "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=reconciler validate::50%25 bad%0Asecond line"
    )
