"""Drift reports as text, JSON, Markdown, JUnit XML and SARIF 2.1.0. Pure.

Every renderer reads only the dict from `drift.drift_json` (documented by
`drift_schema.DRIFT_JSON_SCHEMA`), so all formats state the same facts.
`format_for_path` maps a `--report FILE` extension to a format.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from reconciler.errors import ConfigError
from reconciler.report.text import (
    Detail,
    details,
    names_shown,
    outside_scope_note,
    paint,
    short,
    short_pair,
)
from reconciler.values.pointers import ABSENT

FORMATS = ("text", "json", "markdown", "junit", "sarif")  # `render` has one renderer each
EXTENSIONS = {
    ".txt": "text",
    ".json": "json",
    ".md": "markdown",
    ".xml": "junit",
    ".sarif": "sarif",
}
MAX_DETAILS = 5  # nested pointers shown per field before "... and N more"

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_FIELD = "RECON-DRIFT-FIELD"
RULE_MISSING = "RECON-DRIFT-MISSING"


def format_for_path(path: str) -> str:
    """The report format a file name asks for, by extension (case-insensitive)."""
    suffix = PurePosixPath(path.replace("\\", "/")).suffix.lower()
    if suffix not in EXTENSIONS:
        known = ", ".join(f"{ext} ({fmt})" for ext, fmt in EXTENSIONS.items())
        raise ConfigError(
            f"--report {path}: cannot tell the format from the extension {suffix or '(none)'!r}",
            hint=f"Use one of {known}.",
        )
    return EXTENSIONS[suffix]


def render(body: dict[str, Any], fmt: str, *, color: bool = False) -> str:
    if fmt == "text":
        return text(body, color=color)
    renderers: dict[str, Callable[[dict[str, Any]], str]] = {
        "text": text,
        "json": json_text,
        "markdown": markdown,
        "junit": junit,
        "sarif": sarif_text,
    }
    return renderers[fmt](body)


def summary_line(body: dict[str, Any]) -> str:
    s = body["summary"]
    if not body["drift"]:
        return "No drift. The tenant matches the manifests."
    return (
        f"Drift: {s['drifted_fields']} field(s) in {s['drifted_resources']} resource(s); "
        f"{s['missing']} missing; {s['unmanaged']} unmanaged; "
        f"{s['ignored_pointers']} ignored pointer(s)."
    )


def _where(source: dict[str, Any] | None) -> str:
    return f"{source['file']}:{source['line']}:{source['column']}" if source else ""


def _differences(record: dict[str, Any]) -> list[str]:
    """Each nested value that differs, by its readable path, with both values."""
    found = details(record["field"], record["live"], record["desired"], record["details"])
    shown = [_difference(d) for d in found[:MAX_DETAILS]]
    more = len(found) - len(shown)
    return shown + ([f"... and {more} more"] if more > 0 else [])


def _difference(detail: Detail) -> str:
    # ABSENT (a key only one side has) is no JSON value: named, never serialised
    before = None if detail.before is ABSENT else detail.before
    after = None if detail.after is ABSENT else detail.after
    live, desired = short_pair(before, after)
    live = "absent" if detail.before is ABSENT else live
    desired = "absent" if detail.after is ABSENT else desired
    return f"/spec/{detail.path}: live {live}, desired {desired}"


def _drifted(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in body["resources"] if r["status"] == "drifted"]


def _missing(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in body["resources"] if r["status"] == "missing"]


def _ignored_note(body: dict[str, Any]) -> str:
    s = body["summary"]
    hiding = s["ignored_differences"]
    return f"{s['ignored_pointers']} ignored pointer(s), {hiding} hiding a difference"


# --- text -----------------------------------------------------------------------------------


def text(body: dict[str, Any], *, color: bool = False) -> str:
    shown = names_shown(
        [o["display_name"] for o in (*body["unmanaged"], *body["outside_scope"])]
        + [r["display_name"] or "" for r in body["resources"]]
    )
    out = [f"Graph: {body['graph_url']}", f"Checked at: {body['checked_at']}", ""]
    for resource in _drifted(body):
        ident = f" (id {resource['object_id']})" if resource["object_id"] else ""
        out.append(f"  ~ {resource['address']}{ident} has drifted")
        for record in resource["fields"]:
            where = _where(record["source"])
            out.append(f"      {record['pointer']}" + (f"  ({where})" if where else ""))
            out.append(f"        desired: {short(record['desired'])}")
            out.append(f"        live:    {short(record['live'])}")
            out.extend(f"        differs at: {d}" for d in _differences(record))
        out.append("")
    for resource in _missing(body):
        where = _where(resource["source"])
        out.append(
            f"  - {resource['address']} is missing: no live object"
            + (f"  ({where})" if where else "")
        )
    for obj in body["unmanaged"]:
        out.append(f"  ? unmanaged {obj['kind']} {shown(obj['display_name'])} (id {obj['id']})")
    if _missing(body) or body["unmanaged"]:
        out.append("")
    if body["outside_scope"]:
        out.append(outside_scope_note(body["outside_scope"], shown))
        out.append("")
    if body["summary"]["ignored_pointers"]:
        out.append(f"Ignored (metadata.ignore): {_ignored_note(body)}.")
    out.append(summary_line(body))
    return "\n".join(paint(line, color) for line in out) + "\n"


def json_text(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- markdown -------------------------------------------------------------------------------


def _code(value: str) -> str:
    """Inline code safe inside a table cell, whatever the value holds (|, `, <, newlines)."""
    return "<code>" + html.escape(value).replace("|", "&#124;") + "</code>"


def _cell(value: str) -> str:
    return html.escape(value).replace("|", "&#124;")


def markdown(body: dict[str, Any]) -> str:
    out = [f"### reconciler drift: {summary_line(body)}", ""]
    drifted = _drifted(body)
    if drifted:
        out += ["| resource | field | desired | live | manifest |", "|---|---|---|---|---|"]
        for resource in drifted:
            for record in resource["fields"]:
                out.append(
                    f"| {_code(resource['address'])} | {_code(record['pointer'])} "
                    f"| {_code(short(record['desired']))} | {_code(short(record['live']))} "
                    f"| {_cell(_where(record['source']))} |"
                )
        out.append("")
    if _missing(body):
        out.append("**Missing** (declared in a manifest, no live object):")
        out += [
            f"- {_code(r['address'])} {_cell(_where(r['source']))}".rstrip() for r in _missing(body)
        ]
        out.append("")
    if body["unmanaged"]:
        out.append("**Unmanaged** (in the scope, but no manifest claims them):")
        out += [
            f"- {_code(u['kind'])} {_cell(u['display_name'])} ({_cell(u['id'])})"
            for u in body["unmanaged"]
        ]
        out.append("")
    if body["outside_scope"]:
        out.append(_cell(outside_scope_note(body["outside_scope"])))
        out.append("")
    out.append(
        f"_{_ignored_note(body)}; {body['read_requests']} read requests. "
        f"Graph: {_cell(body['graph_url'])}; checked at {_cell(body['checked_at'])}._"
    )
    return "\n".join(out) + "\n"


# --- junit ----------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all, even escaped; live values could hold them.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(value: str) -> str:
    return _XML_INVALID.sub("\ufffd", value)


def _testcase(parent: ET.Element, classname: str, name: str, **attrs: str) -> ET.Element:
    return ET.SubElement(
        parent,
        "testcase",
        {"classname": _xml(classname), "name": _xml(name), "time": "0", **attrs},
    )


def _fail(case: ET.Element, kind: str, message: str, detail: list[str]) -> None:
    failure = ET.SubElement(case, "failure", {"type": kind, "message": _xml(message)})
    failure.text = _xml("\n".join(detail))


def _field_lines(record: dict[str, Any]) -> list[str]:
    where = _where(record["source"])
    lines = [
        f"{record['pointer']}" + (f" ({where})" if where else ""),
        f"  desired: {short(record['desired'])}",
        f"  live:    {short(record['live'])}",
    ]
    return lines + [f"  differs at: {d}" for d in _differences(record)]


def junit(body: dict[str, Any]) -> str:
    """One test case per resource (failed when drifted or missing), one per unmanaged object."""
    cases = len(body["resources"]) + len(body["unmanaged"])
    failures = cases - body["summary"]["in_sync"]
    root = ET.Element(
        "testsuites",
        {"name": "reconciler drift", "tests": str(cases), "failures": str(failures), "errors": "0"},
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": "reconciler drift",
            "tests": str(cases),
            "failures": str(failures),
            "errors": "0",
            "skipped": "0",
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name in ("graph_url", "checked_at", "manifest_hash", "tool_version"):
        ET.SubElement(properties, "property", {"name": name, "value": _xml(str(body[name]))})
    for resource in body["resources"]:
        attrs = {"file": _xml(resource["source"]["file"])} if resource["source"] else {}
        case = _testcase(suite, resource["kind"], resource["address"], **attrs)
        if resource["status"] == "drifted":
            pointers = ", ".join(f["pointer"] for f in resource["fields"])
            lines = [line for record in resource["fields"] for line in _field_lines(record)]
            _fail(case, "drift", f"{len(resource['fields'])} field(s) drifted: {pointers}", lines)
        elif resource["status"] == "missing":
            _fail(case, "missing", "no live object matches this resource", [])
    for obj in body["unmanaged"]:
        case = _testcase(suite, obj["kind"], f"unmanaged {obj['kind']}/{obj['id']}")
        _fail(
            case,
            "unmanaged",
            f"live object {obj['display_name']!r} (id {obj['id']}) is in no manifest",
            [],
        )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- sarif ----------------------------------------------------------------------------------


def _artifact(file: str) -> dict[str, str]:
    """A SARIF artifactLocation: relative paths against %SRCROOT%, absolute as file: URIs."""
    if PureWindowsPath(file).drive:
        return {"uri": PureWindowsPath(file).as_uri()}
    if file.startswith("/"):
        return {"uri": PurePosixPath(file).as_uri()}
    relative = file.replace("\\", "/").removeprefix("./")
    return {"uri": quote(relative), "uriBaseId": "%SRCROOT%"}


def _location(source: dict[str, Any] | None, fallback_file: str | None) -> list[dict[str, Any]]:
    if source is None:
        return (
            [{"physicalLocation": {"artifactLocation": _artifact(fallback_file)}}]
            if fallback_file
            else []
        )
    return [
        {
            "physicalLocation": {
                "artifactLocation": _artifact(source["file"]),
                "region": {"startLine": source["line"], "startColumn": source["column"]},
            }
        }
    ]


def _fingerprint(*parts: str) -> str:
    # Stable across runs and line moves, so a code host tracks one alert per drifted field.
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _field_result(resource: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    message = (
        f"{resource['address']}: {record['pointer']} has drifted: "
        f"desired {short(record['desired'])}, live {short(record['live'])}."
    )
    file = resource["source"]["file"] if resource["source"] else None
    return {
        "ruleId": RULE_FIELD,
        "ruleIndex": 0,
        "level": "error",
        "message": {"text": message},
        "locations": _location(record["source"], file),
        "partialFingerprints": {
            "reconcilerDrift/v1": _fingerprint(resource["address"], record["pointer"])
        },
        "properties": {
            "address": resource["address"],
            "objectId": resource["object_id"],
            "pointer": record["pointer"],
            "desired": record["desired"],
            "live": record["live"],
            "details": record["details"],
        },
    }


def _missing_result(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "ruleId": RULE_MISSING,
        "ruleIndex": 1,
        "level": "error",
        "message": {"text": f"{resource['address']}: no live object matches this resource."},
        "locations": _location(resource["source"], None),
        "partialFingerprints": {"reconcilerDrift/v1": _fingerprint(resource["address"])},
        "properties": {"address": resource["address"], "objectId": resource["object_id"]},
    }


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": RULE_FIELD,
            "name": "ManagedFieldDrifted",
            "shortDescription": {"text": "A managed field differs from its manifest."},
            "fullDescription": {
                "text": "The live value of a field this manifest declares differs from the "
                "declared value. Run `reconciler plan` to see the change that would restore it."
            },
            "defaultConfiguration": {"level": "error"},
        },
        {
            "id": RULE_MISSING,
            "name": "ManagedResourceMissing",
            "shortDescription": {"text": "A declared resource has no live object."},
            "fullDescription": {
                "text": "No live object matches this resource by metadata.id or displayName. "
                "`reconciler apply` would create it."
            },
            "defaultConfiguration": {"level": "error"},
        },
    ]


def sarif(body: dict[str, Any]) -> dict[str, Any]:
    """SARIF 2.1.0: one result per drifted field (and per missing resource), at the manifest.

    Unmanaged objects have no manifest location, so they are listed in the run's properties
    rather than as results (code hosts drop results without a location).
    """
    results = []
    for resource in body["resources"]:
        if resource["status"] == "drifted":
            results += [_field_result(resource, record) for record in resource["fields"]]
        elif resource["status"] == "missing":
            results.append(_missing_result(resource))
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "reconciler",
                        "version": body["tool_version"],
                        "rules": _rules(),
                    }
                },
                # ruamel.yaml positions count characters, not UTF-16 units (the default).
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": True}],
                "results": results,
                "properties": {
                    "graphUrl": body["graph_url"],
                    "checkedAt": body["checked_at"],
                    "summary": body["summary"],
                    "unmanaged": body["unmanaged"],
                },
            }
        ],
    }


def sarif_text(body: dict[str, Any]) -> str:
    return json.dumps(sarif(body), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
