"""A fleet's drift in every report format, from one document. Pure.

The document is the drift index of `fleet.index` with each tenant's report (the dict of
`drift.drift_json`) under `drift` (None for a tenant that failed):

    {"kind": "fleet-drift", "fleet", "fleet_file", "created_at", "graph_url", "shard",
     "summary": {"tenants", "clean", "drift", "failed", "drifted_resources", ...},
     "tenants": [{"name", "tenant_id", "ring", "position", "status": clean|drift|failed,
                  "reason", "message", "hint", "summary", "report", "drift"}]}

JUnit has one suite per tenant (a failed tenant's suite holds one case in error); SARIF
results carry the tenant (`properties.tenant`, in the message, and in the fingerprint, so a
code host keeps one alert per tenant and field).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from reconciler.report import drift_formats, html, plan_formats
from reconciler.report.drift_formats import _fingerprint, _xml

FORMATS = drift_formats.FORMATS


def render(document: dict[str, Any], fmt: str, *, color: bool = False) -> str:
    if fmt == "text":
        return text(document, color=color)
    if fmt == "json":
        return drift_formats.json_text(document)
    if fmt == "markdown":
        return markdown(document)
    if fmt == "junit":
        return junit(document)
    if fmt == "sarif":
        return drift_formats.json_text(sarif(document))
    if fmt == "html":
        return html.fleet_drift(document)
    raise ValueError(f"unknown format {fmt!r}")


def _counts(tenant: dict[str, Any]) -> str:
    s = tenant.get("summary") or {}
    return (
        f"{s.get('drifted_resources', 0)} resource(s) drifted ({s.get('drifted_fields', 0)} "
        f"field(s)), {s.get('missing', 0)} missing, {s.get('unmanaged', 0)} unmanaged"
    )


def _label(tenant: dict[str, Any]) -> str:
    return tenant["name"] + (f" (ring {tenant['ring']})" if tenant.get("ring") else "")


def text(document: dict[str, Any], *, color: bool = False) -> str:
    out = [
        f"Fleet {document['fleet']}: Graph {document['graph_url']}, checked at "
        f"{document['created_at']}",
        "",
    ]
    for tenant in document["tenants"]:
        status = tenant["status"]
        if status == "failed":
            out.append(f"  ! {_label(tenant)}: failed ({tenant['reason']}): {tenant['message']}")
        elif status == "clean":
            out.append(f"  = {_label(tenant)}: no drift")
        else:
            out.append(f"  ~ {_label(tenant)}: drift: {_counts(tenant)}")
            body = drift_formats.text(tenant["drift"], color=color).splitlines()
            # The tenant's findings without its Graph/time header and its summary line.
            out.extend(f"    {line}" if line else "" for line in body[3:-1])
    out += ["", html.fleet_summary_line(document)]  # names missing shards, if any
    return "\n".join(out) + "\n"


def _cell(value: Any) -> str:
    return drift_formats._cell(str(value))


def markdown(document: dict[str, Any]) -> str:
    out = [
        f"### reconciler fleet drift ({_cell(document['fleet'])}): "
        f"{_cell(html.fleet_summary_line(document))}",
        "",
        "| tenant | ring | status | drifted | fields | missing | unmanaged |",
        "|---|---|---|---|---|---|---|",
    ]
    for tenant in document["tenants"]:
        s = tenant.get("summary") or {}
        status = tenant["status"]
        if status == "failed":
            status = f"failed ({tenant['reason']})"
        out.append(
            f"| {_cell(tenant['name'])} | {_cell(tenant.get('ring') or '')} | {_cell(status)} "
            + "".join(f"| {s.get(n, 0)} " for n in html.TENANT_COUNTS)
            + "|"
        )
    out.append("")
    for tenant in document["tenants"]:
        if tenant["status"] == "failed":
            out.append(f"**{_cell(tenant['name'])}** failed: {_cell(tenant['message'])}")
            out.append("")
        elif tenant["status"] == "drift":
            body = drift_formats.markdown(tenant["drift"]).splitlines()[2:]
            out += [
                f"<details><summary>{_cell(tenant['name'])}</summary>",
                "",
                *body,
                "</details>",
                "",
            ]
    out.append(
        f"_Graph: {_cell(document['graph_url'])}; checked at {_cell(document['created_at'])}._"
    )
    return "\n".join(out) + "\n"


def junit(document: dict[str, Any]) -> str:
    tests = failures = errors = 0
    root = ET.Element("testsuites", {"name": f"reconciler fleet drift {_xml(document['fleet'])}"})
    for tenant in document["tenants"]:
        name = f"tenant {tenant['name']}"
        properties = {"tenant": tenant["name"], "tenant_id": tenant["tenant_id"]}
        if tenant.get("ring"):
            properties["ring"] = tenant["ring"]
        if tenant["status"] == "failed":
            suite = ET.SubElement(
                root,
                "testsuite",
                {"name": _xml(name), "tests": "1", "failures": "0", "errors": "1", "skipped": "0"},
            )
            found = ET.SubElement(suite, "properties")
            for key, value in properties.items():
                ET.SubElement(found, "property", {"name": key, "value": _xml(value)})
            case = ET.SubElement(
                suite,
                "testcase",
                {"classname": _xml(name), "name": _xml(f"{tenant['name']} drift"), "time": "0"},
            )
            error = ET.SubElement(
                case, "error", {"type": str(tenant["reason"]), "message": _xml(tenant["message"])}
            )
            error.text = _xml(tenant.get("hint") or "")
            tests, errors = tests + 1, errors + 1
            continue
        cases, failed = drift_formats.junit_counts(tenant["drift"])
        drift_formats.junit_suite(root, tenant["drift"], name=name, properties=properties)
        tests, failures = tests + cases, failures + failed
    missing = document.get("missing_shards") or []
    if missing:  # a merged report short of shards: their tenants were never checked
        suite = ET.SubElement(
            root,
            "testsuite",
            {"name": "missing shards", "tests": str(len(missing)), "failures": "0"}
            | {"errors": str(len(missing)), "skipped": "0"},
        )
        for shard in missing:
            case = ET.SubElement(
                suite,
                "testcase",
                {"classname": "missing shards", "name": f"shard {shard}", "time": "0"},
            )
            ET.SubElement(
                case, "error", {"type": "missing-shard", "message": f"shard {shard} is missing"}
            )
        tests, errors = tests + len(missing), errors + len(missing)
    root.attrib.update({"tests": str(tests), "failures": str(failures), "errors": str(errors)})
    return drift_formats.junit_document(root)


def sarif(document: dict[str, Any]) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    unmanaged: list[dict[str, Any]] = []
    for tenant in document["tenants"]:
        if tenant["drift"] is None:
            continue
        for result in drift_formats.sarif_results(tenant["drift"]):
            properties = result["properties"]
            key = ("reconcilerDrift/v1", tenant["tenant_id"], properties["address"])
            pointer = properties.get("pointer")
            result["partialFingerprints"] = {
                "reconcilerFleetDrift/v1": _fingerprint(*key, *([pointer] if pointer else []))
            }
            result["message"]["text"] = f"tenant {tenant['name']}: {result['message']['text']}"
            result["properties"] = {
                "tenant": tenant["name"],
                "tenantId": tenant["tenant_id"],
                **properties,
            }
            results.append(result)
        unmanaged += [{"tenant": tenant["name"], **u} for u in tenant["drift"]["unmanaged"]]
    body = {
        "graph_url": document["graph_url"],
        "checked_at": document["created_at"],
        "tool_version": document["tool_version"],
        "unmanaged": unmanaged,
    }
    failed = [
        {"tenant": t["name"], "reason": t["reason"], "message": t["message"]}
        for t in document["tenants"]
        if t["status"] == "failed"
    ]
    log = drift_formats.sarif_log(
        results,
        body,
        properties={
            "fleet": document["fleet"],
            "summary": document["summary"],
            "failedTenants": failed,
            "missingShards": document.get("missing_shards") or [],
        },
    )
    complete = not failed and not document.get("missing_shards")
    log["runs"][0]["invocations"] = [{"executionSuccessful": complete}]
    return log


# --- a fleet plan (`reconciler show PLANS`) --------------------------------------------------
#
# The document is the plan index of `fleet.index` with each tenant's plan (the dict of
# `plan_formats.plan_json`) under `body` (None for a tenant whose planning failed).

PLAN_FORMATS = ("text", "json", "markdown", "html")


def render_plan(
    document: dict[str, Any], fmt: str, *, color: bool = False, full_diff: bool = False
) -> str:
    if fmt == "text":
        return plan_text(document, color=color, full_diff=full_diff)
    if fmt == "json":
        return drift_formats.json_text(document)
    if fmt == "markdown":
        return plan_markdown(document, full_diff=full_diff)
    if fmt == "html":
        return html.fleet_plan(document)
    raise ValueError(f"unknown format {fmt!r}")


def _plan_counts(tenant: dict[str, Any]) -> str:
    s = tenant.get("summary") or {}
    return (
        f"{s.get('create', 0)} to create, {s.get('update', 0)} to update, "
        f"{s.get('delete', 0)} to delete, {s.get('writes', 0)} write(s)"
    )


def plan_text(document: dict[str, Any], *, color: bool = False, full_diff: bool = False) -> str:
    out = [
        f"Fleet {document['fleet']}: Graph {document['graph_url']}, planned at "
        f"{document['created_at']}",
        "",
    ]
    for tenant in document["tenants"]:
        status = tenant["status"]
        label = f"{_label(tenant)}, tenant {tenant['tenant_id']}"
        if status == "failed":
            out.append(f"== {label}: failed ({tenant['reason']}): {tenant['message']}")
            out.extend(f"   {line}" for line in tenant.get("details") or ())
            out.append("")
            continue
        if status == "no-changes":
            out += [f"== {label}: no changes", ""]
            continue
        out.append(f"== {label}: {_plan_counts(tenant)}")
        body = plan_formats.text(tenant["body"], color=color, full_diff=full_diff).splitlines()
        out.extend(f"   {line}" if line else "" for line in body)
        out.append("")
    out.append(html.fleet_plan_summary_line(document))
    return "\n".join(out) + "\n"


def plan_markdown(document: dict[str, Any], *, full_diff: bool = False) -> str:
    out = [
        f"### reconciler fleet plan ({_cell(document['fleet'])}): "
        f"{_cell(html.fleet_plan_summary_line(document))}",
        "",
        "| tenant | ring | result | create | update | delete |",
        "|---|---|---|---|---|---|",
    ]
    for tenant in document["tenants"]:
        s = tenant.get("summary") or {}
        status = tenant["status"].replace("-", " ")
        if tenant["status"] == "failed":
            status = f"failed ({tenant['reason']})"
        out.append(
            f"| {_cell(tenant['name'])} | {_cell(tenant.get('ring') or '')} | {_cell(status)} "
            + "".join(f"| {s.get(n, '-')} " for n in ("create", "update", "delete"))
            + "|"
        )
    out.append("")
    for tenant in document["tenants"]:
        if tenant["status"] == "failed":
            out += [f"**{_cell(tenant['name'])}** failed: {_cell(tenant['message'])}", ""]
        elif tenant["status"] == "changes":
            body = plan_formats.markdown(tenant["body"], full_diff=full_diff).splitlines()
            out += [
                f"<details><summary>{_cell(tenant['name'])}: {_plan_counts(tenant)}</summary>",
                "",
                *body,
                "",
                "</details>",
                "",
            ]
    out.append(
        f"_Graph: {_cell(document['graph_url'])}; planned at {_cell(document['created_at'])}._"
    )
    return "\n".join(out) + "\n"
