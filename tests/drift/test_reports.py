"""Drift reports, pure: every format from one JSON dict (text, JSON, Markdown, JUnit, SARIF),
golden-ish content, validity (JSON schema, XML parse, SARIF 2.1.0 schema), hostile values
(pipes, markup, control characters), long values shortened, and extension -> format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import jsonschema
import pytest

from reconciler.engine.drift import detect, drift_json
from reconciler.errors import ConfigError
from reconciler.report.drift_formats import (
    RULE_FIELD,
    RULE_MISSING,
    format_for_path,
    junit,
    markdown,
    render,
    sarif,
    summary_line,
    text,
)
from reconciler.report.drift_schema import DRIFT_JSON_SCHEMA
from tests.core.builders import desired, live, obj, resource

from .support import SARIF_SCHEMA

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def validate_sarif(log: dict) -> None:
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)


@pytest.fixture
def body():
    """One of each: a resource with two drifted fields, one in sync, one missing, an
    unmanaged object, and an ignore pointer that hid a difference."""
    d = desired(
        resource(
            "a",
            displayName="A",
            priority=1,
            description="managed",
            policyPayload={"k": 1, "long": "v" * 200},
        ),
        resource("b", displayName="B", priority=2, description="d", ignore=("/description",)),
        resource("c", displayName="C", priority=3),
        scope=("*/stray",),
    )
    tenant = live(
        obj(
            "id-a",
            displayName="A",
            priority=1,
            description="x",
            policyPayload={"k": 2, "long": "v" * 200},
        ),
        obj("id-b", displayName="B", priority=2, description="changed"),
        obj("id-s", displayName="Stray", priority=9),
    )
    return drift_json(detect(d, tenant, now=NOW))


def test_summary_line_counts_every_category(body):
    assert summary_line(body) == (
        "Drift: 2 field(s) in 1 resource(s); 1 missing; 1 unmanaged; 1 ignored pointer(s)."
    )


def test_text_lists_each_field_with_address_pointer_both_values_and_position(body):
    out = text(body)
    lines = out.splitlines()
    assert lines[0] == "Graph: http://127.0.0.1:1/beta"
    assert "  ~ WindowsOfficeClientSecurityConfiguration/a (id id-a) has drifted" in lines
    i = lines.index("      /spec/description  (a.yaml:7:3)")
    assert lines[i + 1 : i + 3] == ['        desired: "managed"', '        live:    "x"']
    assert "        differs at: /spec/policyPayload/k: live 2, desired 1" in lines
    assert (
        "  - WindowsOfficeClientSecurityConfiguration/c is missing: no live object  (c.yaml:1:1)"
        in lines
    )
    assert '  ? unmanaged WindowsOfficeClientSecurityConfiguration "Stray" (id id-s)' in lines
    assert "Ignored (metadata.ignore): 1 ignored pointer(s), 1 hiding a difference." in lines
    assert lines[-1] == summary_line(body)
    # long values are shortened, never dumped whole
    assert max(len(line) for line in lines) < 100
    assert "…" in out


def test_no_drift_text_ends_with_the_all_clear():
    d = desired(resource("a", displayName="A", priority=1))
    tenant = live(obj("id-a", displayName="A", priority=1))
    out = text(drift_json(detect(d, tenant, now=NOW)))
    assert out.splitlines()[-1] == "No drift. The tenant matches the manifests."


def test_json_report_is_the_body_and_matches_its_schema(body):
    parsed = json.loads(render(body, "json"))
    assert parsed == body
    jsonschema.Draft202012Validator.check_schema(DRIFT_JSON_SCHEMA)
    jsonschema.Draft202012Validator(DRIFT_JSON_SCHEMA).validate(parsed)


def test_markdown_has_a_row_per_field_and_lists_missing_and_unmanaged(body):
    out = markdown(body)
    assert out.startswith("### reconciler drift: Drift: 2 field(s)")
    rows = [line for line in out.splitlines() if line.startswith("| <code>")]
    assert len(rows) == 2
    assert "<code>/spec/description</code>" in rows[0]
    assert "<code>&quot;managed&quot;</code> | <code>&quot;x&quot;</code> | a.yaml:7:3 |" in rows[0]
    assert "**Missing**" in out and "<code>WindowsOfficeClientSecurityConfiguration/c</code>" in out
    assert "**Unmanaged**" in out and "Stray (id-s)" in out


def test_markdown_escapes_pipes_and_markup_in_values():
    d = desired(resource("a", displayName="A", priority=1, description="a|b"))
    tenant = live(obj("id-a", displayName="A", priority=1, description="<img src=x>`|`"))
    out = markdown(drift_json(detect(d, tenant, now=NOW)))
    (row,) = [line for line in out.splitlines() if line.startswith("| <code>")]
    assert row.count(" | ") == 4  # five cells: no pipe from a value split the row
    assert "<img" not in out and "&lt;img" in out


def test_junit_parses_with_one_case_per_resource_and_failures_for_drift(body):
    root = ET.fromstring(junit(body))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), root.get("failures")) == ("4", "3", "3")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {
        "WindowsOfficeClientSecurityConfiguration/a",
        "WindowsOfficeClientSecurityConfiguration/b",
        "WindowsOfficeClientSecurityConfiguration/c",
        "unmanaged WindowsOfficeClientSecurityConfiguration/id-s",
    }
    failure = cases["WindowsOfficeClientSecurityConfiguration/a"].find("failure")
    assert failure is not None and failure.get("type") == "drift"
    assert failure.get("message") == "2 field(s) drifted: /spec/description, /spec/policyPayload"
    assert 'desired: "managed"' in (failure.text or "")
    assert cases["WindowsOfficeClientSecurityConfiguration/b"].find("failure") is None
    missing = cases["WindowsOfficeClientSecurityConfiguration/c"].find("failure")
    assert missing is not None and missing.get("type") == "missing"
    assert cases["WindowsOfficeClientSecurityConfiguration/a"].get("file") == "a.yaml"


def test_junit_survives_characters_xml_cannot_carry():
    d = desired(resource("a", displayName="A", priority=1, description="ok"), scope=("*/*",))
    tenant = live(
        obj("id-a", displayName="A", priority=1, description="bad\x00\x1b[31m"),
        # An unmanaged object's id reaches the XML as it is, not JSON-escaped.
        obj("id\x00z", displayName="Stray", priority=2),
    )
    root = ET.fromstring(junit(drift_json(detect(d, tenant, now=NOW))))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "\\u0000" in (failure.text or "")
    names = [case.get("name") or "" for case in root.iter("testcase")]
    assert any("id\ufffdz" in name for name in names)


def test_sarif_validates_and_locates_each_field_at_its_manifest_line_and_column(body):
    log = sarif(body)
    validate_sarif(log)
    (run,) = log["runs"]
    fields = [r for r in run["results"] if r["ruleId"] == RULE_FIELD]
    assert len(fields) == 2
    loc = fields[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 7, "startColumn": 3}
    assert fields[0]["properties"]["pointer"] == "/spec/description"
    assert 'desired "managed", live "x"' in fields[0]["message"]["text"]
    (missing,) = [r for r in run["results"] if r["ruleId"] == RULE_MISSING]
    assert missing["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 1,
    }
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert run["properties"]["unmanaged"][0]["id"] == "id-s"


def test_sarif_fingerprints_are_stable_and_distinct(body):
    first = [r["partialFingerprints"] for r in sarif(body)["runs"][0]["results"]]
    # Stable when the manifest lines move (an edit above the resource) and the run is
    # another: only the address and pointer count, so code scanning keeps the same alert.
    shifted = json.loads(json.dumps(body))
    shifted["checked_at"] = "2030-01-01T00:00:00+00:00"
    for drifted in shifted["resources"]:
        for field in drifted.get("fields", []):
            if field.get("source"):
                field["source"]["line"] += 10
    again = [r["partialFingerprints"] for r in sarif(shifted)["runs"][0]["results"]]
    assert first == again
    assert len({json.dumps(f) for f in first}) == len(first)


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (
            "manifests/my policy.yaml",
            {"uri": "manifests/my%20policy.yaml", "uriBaseId": "%SRCROOT%"},
        ),
        ("./a.yaml", {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"}),
        ("/abs/a.yaml", {"uri": "file:///abs/a.yaml"}),
    ],
)
def test_sarif_uris_are_relative_to_the_source_root_or_absolute_file_uris(file, expected):
    d = desired(resource("a", displayName="A", priority=1, description="d"))
    r = d.resources[0]
    moved = type(r)(
        kind=r.kind,
        name=r.name,
        id=r.id,
        spec=r.spec,
        file=file,
        positions={
            k: type(v)(file=file, line=v.line, column=v.column) for k, v in r.positions.items()
        },
    )
    log = sarif(
        drift_json(detect(desired(moved), live(obj("id-a", displayName="A", priority=1)), now=NOW))
    )
    validate_sarif(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == expected


def test_no_drift_sarif_is_valid_with_no_results():
    d = desired(resource("a", displayName="A", priority=1))
    log = sarif(drift_json(detect(d, live(obj("id-a", displayName="A", priority=1)), now=NOW)))
    validate_sarif(log)
    assert log["runs"][0]["results"] == []


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("drift.json", "json"),
        ("out/drift.MD", "markdown"),
        ("junit.xml", "junit"),
        ("drift.sarif", "sarif"),
        ("drift.txt", "text"),
    ],
)
def test_report_format_follows_the_extension(path, fmt):
    assert format_for_path(path) == fmt


@pytest.mark.parametrize("path", ["drift", "drift.yaml", "drift.pdf"])
def test_unknown_report_extension_is_a_config_error_with_the_choices(path):
    with pytest.raises(ConfigError) as caught:
        format_for_path(path)
    assert ".sarif (sarif)" in caught.value.hint


def test_drift_offers_exactly_the_report_formats_there_are(body):
    from reconciler.cli.commands.drift import FORMATS as DRIFT_FORMATS
    from reconciler.report.drift_formats import EXTENSIONS, FORMATS, render

    assert DRIFT_FORMATS == FORMATS
    assert set(EXTENSIONS.values()) <= set(FORMATS)
    assert all(render(body, fmt) for fmt in FORMATS)
