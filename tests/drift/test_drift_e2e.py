"""Drift end to end over HTTP against the emulator: no drift exits 0; an out-of-band PATCH
exits 2 and names the field; every report format from one run, each validated (JSON schema,
JUnit XML, SARIF 2.1.0 schema with the field's line and column); missing and unmanaged
objects; ignore pointers; failed reads and bad flags exit 1 and write no report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from reconciler.report.drift_schema import DRIFT_JSON_SCHEMA
from tests.support.cli import run
from tests.support.manifests import policy_doc, write_set
from tests.support.raw import by_name, raw
from tests.support.tenant import GROUP_A, POLICIES, SECURITY

from .support import SARIF_SCHEMA, apply


def manifests(tmp_path: Path, *extra: str) -> Path:
    a = policy_doc("a", "Policy A", 1, payload={"s": 1}, groups=[GROUP_A])
    b = policy_doc("b", "Policy B", 2)
    return write_set(tmp_path / "m", a, b, *extra)


def drift(capsys, emulator, path: Path, *extra: str):
    return run(capsys, "drift", str(path), "--graph-url", emulator.base_url, *extra)


def patch_out_of_band(emulator, display_name: str, body: dict) -> None:
    target = by_name(emulator)[display_name]
    response = raw(emulator, "PATCH", f"{POLICIES}/{target['id']}", json=body)
    assert response.status_code in (200, 204), response.text


def position_of(path: Path, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of `needle` in the file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


def test_applied_manifests_have_no_drift(capsys, emulator, tmp_path):
    m = manifests(tmp_path)
    apply(capsys, emulator, m, tmp_path / "state")
    result = drift(capsys, emulator, m)
    assert result.code == 0, result.out + result.err
    assert result.out.splitlines()[-1] == "No drift. The tenant matches the manifests."


def test_out_of_band_patch_exits_2_and_names_the_field(capsys, emulator, tmp_path):
    m = manifests(tmp_path)
    apply(capsys, emulator, m, tmp_path / "state")
    patch_out_of_band(emulator, "Policy A", {"description": "x"})
    result = drift(capsys, emulator, m)
    assert result.code == 2, result.out + result.err
    assert f"  ~ {SECURITY}/a (id " in result.out
    assert "      /spec/description  (" in result.out
    assert '        desired: "managed"' in result.out
    assert '        live:    "x"' in result.out
    assert result.out.splitlines()[-1] == (
        "Drift: 1 field(s) in 1 resource(s); 0 missing; 0 unmanaged; 0 ignored pointer(s)."
    )


def test_one_run_writes_every_report_format_and_each_validates(capsys, emulator, tmp_path):
    m = manifests(tmp_path)
    apply(capsys, emulator, m, tmp_path / "state")
    patch_out_of_band(emulator, "Policy A", {"description": "x"})
    out = tmp_path / "reports"
    names = ["drift.json", "drift.md", "junit.xml", "drift.sarif", "drift.txt"]
    flags = [arg for name in names for arg in ("--report", str(out / name))]
    result = drift(capsys, emulator, m, "--format", "json", *flags)
    assert result.code == 2, result.err

    # stdout is the JSON form, and the .json report is the same document
    body = json.loads(result.out)
    assert json.loads((out / "drift.json").read_text(encoding="utf-8")) == body
    jsonschema.Draft202012Validator(DRIFT_JSON_SCHEMA).validate(body)
    assert body["summary"]["drifted_fields"] == 1

    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == [f"{SECURITY}/a"]

    log = json.loads((out / "drift.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    (found,) = log["runs"][0]["results"]
    assert found["properties"]["pointer"] == "/spec/description"
    location = found["locations"][0]["physicalLocation"]
    manifest = m / "policies.yaml"
    assert location["artifactLocation"]["uri"] == manifest.as_uri()
    line, column = position_of(manifest, '"managed"')  # Policy A's description value
    assert location["region"] == {"startLine": line, "startColumn": column}

    markdown = (out / "drift.md").read_text(encoding="utf-8")
    assert "<code>/spec/description</code>" in markdown
    assert (out / "drift.txt").read_text(encoding="utf-8").splitlines()[-1].startswith("Drift: 1")
    assert sorted(p.name for p in out.iterdir()) == sorted(names)  # no temp files left behind


def test_missing_and_unmanaged_objects_count_as_drift(capsys, emulator, tmp_path):
    m = manifests(tmp_path)
    apply(capsys, emulator, m, tmp_path / "state")
    created = raw(
        emulator,
        "POST",
        POLICIES,
        json={
            "@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
            "displayName": "Made by hand",
            "priority": 50,
        },
    )
    assert created.status_code == 201, created.text
    more = manifests(tmp_path, policy_doc("c", "Policy C", 3))
    unscoped = json.loads(drift(capsys, emulator, more, "--format", "json").out)
    assert unscoped["unmanaged"] == [] and unscoped["summary"]["outside_scope"] == 1
    result = drift(capsys, emulator, more, "--format", "json", "--scope", "*/Made by *")
    assert result.code == 2, result.err
    body = json.loads(result.out)
    assert body["summary"]["missing"] == 1 and body["summary"]["unmanaged"] == 1
    assert body["summary"]["drifted_fields"] == 0
    assert [u["display_name"] for u in body["unmanaged"]] == ["Made by hand"]
    text = drift(capsys, emulator, more, "--scope", "*/Made by *")
    assert f"  - {SECURITY}/c is missing: no live object" in text.out
    assert "  ? unmanaged " + SECURITY + ' "Made by hand"' in text.out


def test_ignored_pointer_hides_the_difference_and_is_counted(capsys, emulator, tmp_path):
    ignoring = policy_doc("b", "Policy B", 2, extra_meta="  ignore: [/description]")
    m = write_set(tmp_path / "m", policy_doc("a", "Policy A", 1), ignoring)
    apply(capsys, emulator, m, tmp_path / "state")
    patch_out_of_band(emulator, "Policy B", {"description": "changed by hand"})
    result = drift(capsys, emulator, m)
    assert result.code == 0, result.out + result.err
    assert "Ignored (metadata.ignore): 1 ignored pointer(s), 1 hiding a difference." in result.out
    body = json.loads(drift(capsys, emulator, m, "--format", "json").out)
    assert body["resources"][1]["ignored"] == [{"pointer": "/spec/description", "differs": True}]


def test_failed_read_is_an_error_and_writes_no_report(capsys, make_emulator, tmp_path):
    emu = make_emulator(fail_rate=1.0)
    m = manifests(tmp_path)
    report = tmp_path / "drift.json"
    result = run(capsys, "drift", str(m), "--graph-url", emu.base_url, "--report", str(report))
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert not report.exists()
    assert "No drift" not in result.out and "missing" not in result.out


def test_unknown_report_extension_fails_before_reading_the_tenant(capsys, emulator, tmp_path):
    m = manifests(tmp_path)
    emulator.reset_stats()
    result = drift(capsys, emulator, m, "--report", str(tmp_path / "drift.pdf"))
    assert result.code == 1
    assert "cannot tell the format" in result.err and ".sarif (sarif)" in result.err
    assert emulator.stats()["total"] == 0
