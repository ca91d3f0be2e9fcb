"""Reports as one self-contained HTML page each: a drift report, a fleet's drift report and a
saved plan. Pure.

Each page reads only the JSON dict its other formats read (`drift.drift_json`, a fleet
drift document, `plan_formats.plan_json`), so it shows the same numbers. No external
asset: the styles are inline, there is no script; details open on click (`<details>`).
Every value from a tenant or a manifest is escaped. Elements a reader (or a test) looks up
carry `data-` attributes: `data-tenant`, `data-status`, `data-count` (the name of the
count in the JSON summary).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reconciler.report import drift_formats, plan_formats
from reconciler.report.text import names_shown, outside_scope_note, short

STATUS_LABEL = {"clean": "no drift", "drift": "drift", "failed": "failed"}
PLAN_STATUS_LABEL = {"changes": "changes", "no-changes": "no changes", "failed": "failed"}

_STYLE = """
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e;
  --line: #d1d9e0; --soft: #f6f8fa; --ok: #1a7f37; --drift: #9a6700; --fail: #cf222e;
  --add: #1a7f37; --change: #9a6700; --remove: #cf222e; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --soft: #151b23;
    --ok: #3fb950; --drift: #d29922; --fail: #f85149; --add: #3fb950; --change: #d29922;
    --remove: #f85149; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 80rem; padding: 1.5rem; color: var(--fg); background: var(--bg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.meta { color: var(--muted); margin: 0 0 1rem; } .meta code { color: var(--fg); }
.tiles { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .9rem; min-width: 8rem;
  background: var(--soft); }
.tile b { display: block; font-size: 1.6rem; line-height: 1.2; }
.tile.clean b, .tile.no-changes b { color: var(--ok); } .tile.drift b, .tile.changes b { color: var(--drift); }
.tile.failed b { color: var(--fail); }
.badge { display: inline-block; border-radius: 1em; padding: 0 .65em; color: #fff; font-size: .85em;
  font-weight: 600; white-space: nowrap; }
.badge.clean, .badge.no-changes { background: var(--ok); }
.badge.drift, .badge.changes { background: var(--drift); }
.badge.failed { background: var(--fail); }
details { border: 1px solid var(--line); border-radius: 6px; margin: .35rem 0; background: var(--bg); }
details > summary { cursor: pointer; padding: .45rem .75rem; list-style-position: inside; }
details[open] > summary { border-bottom: 1px solid var(--line); background: var(--soft); }
details > .body { padding: .5rem .9rem .8rem; }
.row { display: inline-grid; grid-template-columns: minmax(14rem, 24rem) 7.5rem repeat(4, minmax(4.5rem, 1fr));
  gap: .5rem; width: calc(100% - 1.5rem); vertical-align: middle; }
.row code { word-break: normal; white-space: nowrap; font-size: .75em; }
details.tenant.drift { border-left: 4px solid var(--drift); }
details.tenant.failed { border-left: 4px solid var(--fail); }
.row.head { font-weight: 600; color: var(--muted); padding: 0 .75rem 0 2.25rem; width: 100%; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.zero { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 .75rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
code { word-break: break-all; } pre { margin: 0; white-space: pre-wrap; word-break: break-all; }
.reason { color: var(--fail); } .note { color: var(--muted); }
.sym-create, .sym-add { color: var(--add); font-weight: 700; }
.sym-update, .sym-reorder { color: var(--change); font-weight: 700; }
.sym-delete, .sym-replace { color: var(--remove); font-weight: 700; }
ul { margin: .25rem 0 .5rem; padding-left: 1.25rem; }
footer { color: var(--muted); margin-top: 2rem; font-size: .9em; }
"""


def e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: Iterable[str]) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _tile(label: str, value: int, *, count: str, css: str = "") -> str:
    return f'<div class="tile {e(css)}"><b data-count="{e(count)}">{value}</b>{e(label)}</div>'


def _num(value: int, count: str) -> str:
    zero = " zero" if not value else ""
    return f'<span class="num{zero}" data-count="{e(count)}">{value}</span>'


def _where(source: Mapping[str, Any] | None) -> str:
    return f"<code>{e(drift_formats._where(dict(source)))}</code>" if source else ""


# --- drift --------------------------------------------------------------------------------


DRIFT_TILES = (
    ("resources", "resources"),
    ("in_sync", "in sync"),
    ("drifted_resources", "drifted"),
    ("drifted_fields", "fields drifted"),
    ("missing", "missing"),
    ("unmanaged", "unmanaged"),
)


def drift_sections(body: Mapping[str, Any], *, heading: str = "h3") -> list[str]:
    """The findings of one drift report: drifted resources with each field, missing
    resources, unmanaged and outside-scope objects, ignored pointers."""
    report = dict(body)
    shown = names_shown(
        [o["display_name"] for o in (*report["unmanaged"], *report["outside_scope"])]
        + [r["display_name"] or "" for r in report["resources"]]
    )
    out: list[str] = []
    drifted = drift_formats._drifted(report)
    if drifted:
        out.append(f"<{heading}>Drifted</{heading}>")
        for resource in drifted:
            ident = (
                f" (id <code>{e(resource['object_id'])}</code>)" if resource["object_id"] else ""
            )
            out.append(
                f'<details class="resource" data-address="{e(resource["address"])}">'
                f'<summary><span class="sym-update">~</span> <code>{e(resource["address"])}</code>'
                f'{ident}: {len(resource["fields"])} field(s)</summary><div class="body">'
                "<table><tr><th>field</th><th>desired</th><th>live</th><th>manifest</th></tr>"
            )
            for record in resource["fields"]:
                differences = drift_formats._differences(record)
                inner = (
                    "<ul>" + "".join(f"<li><code>{e(d)}</code></li>" for d in differences) + "</ul>"
                    if differences
                    else ""
                )
                out.append(
                    f"<tr><td><code>{e(record['pointer'])}</code>{inner}</td>"
                    f"<td><code>{e(short(record['desired']))}</code></td>"
                    f"<td><code>{e(short(record['live']))}</code></td>"
                    f"<td>{_where(record['source'])}</td></tr>"
                )
            out.append("</table></div></details>")
    missing = drift_formats._missing(report)
    if missing:
        out.append(f"<{heading}>Missing (declared, no live object)</{heading}><ul>")
        out.extend(
            f'<li data-address="{e(r["address"])}"><code>{e(r["address"])}</code> '
            f"{_where(r['source'])}</li>"
            for r in missing
        )
        out.append("</ul>")
    if report["unmanaged"]:
        out.append(f"<{heading}>Unmanaged (in the scope, in no manifest)</{heading}><ul>")
        out.extend(
            f"<li><code>{e(u['kind'])}</code> {e(shown(u['display_name']))} "
            f"(id <code>{e(u['id'])}</code>)</li>"
            for u in report["unmanaged"]
        )
        out.append("</ul>")
    if report["outside_scope"]:
        out.append(f'<p class="note">{e(outside_scope_note(report["outside_scope"], shown))}</p>')
    if report["summary"]["ignored_pointers"]:
        out.append(
            f'<p class="note">Ignored (metadata.ignore): {e(drift_formats._ignored_note(report))}.</p>'
        )
    if not (drifted or missing or report["unmanaged"]):
        out.append('<p class="note">Every declared field matches the tenant.</p>')
    return out


def drift(body: Mapping[str, Any]) -> str:
    """`reconciler drift --report drift.html`."""
    summary = body["summary"]
    out = [
        "<header><h1>reconciler drift</h1>",
        f'<p class="meta">{e(drift_formats.summary_line(dict(body)))}<br>Graph <code>'
        f"{e(body['graph_url'])}</code> · checked at {e(body['checked_at'])} · "
        f"{body['read_requests']} read requests</p></header>",
        '<div class="tiles">',
        *(_tile(label, summary[key], count=key) for key, label in DRIFT_TILES),
        "</div>",
        *drift_sections(body, heading="h2"),
        f"<footer>reconciler {e(body['tool_version'])} · manifests "
        f"<code>{e(body['manifest_hash'][:12])}</code></footer>",
    ]
    return _page("reconciler drift", out)


# --- fleet drift --------------------------------------------------------------------------

FLEET_TILES = (
    ("tenants", "tenants", ""),
    ("clean", "no drift", "clean"),
    ("drift", "with drift", "drift"),
    ("failed", "failed", "failed"),
)
TENANT_COUNTS = ("drifted_resources", "drifted_fields", "missing", "unmanaged")
TENANT_COUNT_LABELS = ("drifted", "fields", "missing", "unmanaged")


def _rings(tenants: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    by_ring: dict[str, list[Mapping[str, Any]]] = {}
    for tenant in tenants:
        by_ring.setdefault(tenant.get("ring") or "", []).append(tenant)
    named = [r for r in by_ring if r]  # in the fleet file's order: pilot rings come first
    return [(r, by_ring[r]) for r in named] + ([("", by_ring[""])] if "" in by_ring else [])


def _tenant_head(
    tenant: Mapping[str, Any], counted: Iterable[str], labels: Mapping[str, str]
) -> tuple[str, list[str]]:
    """A tenant row's summary line (name, id, status badge, counts) and, for a failed
    tenant, the paragraphs that say why."""
    status = tenant["status"]
    summary = tenant.get("summary") or {}
    counts = "".join(_num(int(summary.get(name, 0)), name) for name in counted)
    head = (
        f'<summary><span class="row"><span><b data-name>{e(tenant["name"])}</b><br>'
        f'<code class="note">{e(tenant["tenant_id"])}</code></span>'
        f'<span><span class="badge {e(status)}" data-status="{e(status)}">'
        f"{e(labels.get(status, status))}</span></span>{counts}</span></summary>"
    )
    inner: list[str] = []
    if status == "failed":
        reason = tenant.get("reason") or "error"
        inner.append(
            f'<p class="reason" data-reason="{e(reason)}"><b>{e(reason)}</b>: '
            f"{e(tenant.get('message') or '')}</p>"
        )
        if tenant.get("hint"):
            inner.append(f'<p class="note">{e(tenant["hint"])}</p>')
    return head, inner


def _tenant_block(tenant: Mapping[str, Any]) -> str:
    status = tenant["status"]
    head, inner = _tenant_head(tenant, TENANT_COUNTS, STATUS_LABEL)
    if status != "failed" and tenant.get("drift") is not None:  # a failure: said in `inner`
        inner.extend(drift_sections(tenant["drift"]))
        inner.append(
            f'<p class="note">Graph <code>{e(tenant["drift"]["graph_url"])}</code> · checked at '
            f"{e(tenant['drift']['checked_at'])} · {tenant['drift']['read_requests']} read "
            "requests</p>"
        )
    return (
        f'<details class="tenant {e(status)}" data-tenant="{e(tenant["name"])}">{head}'
        f'<div class="body">{"".join(inner)}</div></details>'
    )


def fleet_drift(document: Mapping[str, Any]) -> str:
    """`reconciler fleet drift --report fleet.html`: tenants by ring, each with its status and
    counts, and its findings when opened."""
    summary = document["summary"]
    shard = document.get("shard")
    scope = f" · shard {shard['index']}/{shard['count']}" if shard else ""
    missing = document.get("missing_shards") or []
    out = [
        f"<header><h1>Fleet {e(document['fleet'])}: drift</h1>",
        f'<p class="meta">{e(fleet_summary_line(document))}<br>Graph <code>'
        f"{e(document['graph_url'])}</code> · checked at {e(document['created_at'])}{scope}</p>",
        "</header>",
    ]
    if missing:
        out.append(
            f'<p class="reason">Shards missing from this report: {e(", ".join(map(str, missing)))}.</p>'
        )
    out += [
        '<div class="tiles">',
        *(_tile(label, summary[key], count=key, css=css) for key, label, css in FLEET_TILES),
        *(
            _tile(label, summary[key], count=key)
            for key, label in zip(
                TENANT_COUNTS,
                ("resources drifted", "fields drifted", "missing", "unmanaged"),
                strict=True,
            )
        ),
        "</div>",
    ]
    out.extend(_by_ring(document, "status", TENANT_COUNT_LABELS, _tenant_block))
    return _page(f"Fleet {document['fleet']}: drift", out)


def _by_ring(
    document: Mapping[str, Any],
    column: str,
    counts: Iterable[str],
    block: Callable[[Mapping[str, Any]], str],
) -> list[str]:
    """A fleet page's body: a section per ring, a row per tenant, and the footer."""
    labels = "".join(f'<span class="num">{e(label)}</span>' for label in counts)
    out = []
    for ring, tenants in _rings(document["tenants"]):
        title = f"Ring {ring}" if ring else "No ring"
        out.append(
            f'<section data-ring="{e(ring)}"><h2>{e(title)} <span class="note">'
            f"({len(tenants)} tenant{'s' if len(tenants) != 1 else ''})</span></h2>"
        )
        out.append(f'<div class="row head"><span>tenant</span><span>{column}</span>{labels}</div>')
        out.extend(block(t) for t in tenants)
        out.append("</section>")
    out.append(
        f"<footer>reconciler {e(document['tool_version'])} · fleet file "
        f"<code>{e(document['fleet_file'])}</code></footer>"
    )
    return out


def fleet_summary_line(document: Mapping[str, Any]) -> str:
    s = document["summary"]
    failed = [t["name"] for t in document["tenants"] if t["status"] == "failed"]
    drifted = [t["name"] for t in document["tenants"] if t["status"] == "drift"]
    parts = [f"{s['tenants']} tenant(s): {s['clean']} without drift, {s['drift']} with drift"]
    if drifted:
        parts[-1] += f" ({', '.join(drifted)})"
    parts.append(f"{s['failed']} failed" + (f" ({', '.join(failed)})" if failed else ""))
    return "Fleet drift: " + "; ".join(parts) + _missing_shards(document) + "."


def _missing_shards(document: Mapping[str, Any]) -> str:
    """A merged report short of shards says so in its headline: every format shows it."""
    missing = document.get("missing_shards") or []
    return (
        f"; shard(s) {', '.join(map(str, missing))} MISSING, their tenants unchecked"
        if missing
        else ""
    )


# --- plan ---------------------------------------------------------------------------------

_SYMBOL = {"create": "+", "update": "~", "delete": "-", "replace": "-/+", "reorder": "~"}


def plan(body: Mapping[str, Any]) -> str:
    """`reconciler show PLANFILE --format html`."""
    report = dict(body)
    cost = report["cost"]
    out = [
        "<header><h1>reconciler plan</h1>",
        f'<p class="meta">{e(plan_formats.summary_line(report))}<br>Graph <code>'
        f"{e(report['graph_url'])}</code> · tenant <code>{e(report['tenant_id'])}</code> · "
        f"made at {e(report['created_at'])}</p></header>",
        *plan_sections(report, heading="h2"),
        f"<footer>Cost: {cost['read_requests']} read requests; {cost['writes']} writes, at "
        f"least {cost['min_write_seconds']:g} s under the documented write limit · reconciler "
        f"{e(report['tool_version'])} · manifests <code>{e(report['manifest_hash'][:12])}</code>"
        "</footer>",
    ]
    return _page("reconciler plan", out)


def plan_sections(body: Mapping[str, Any], *, heading: str = "h3") -> list[str]:
    """One plan's counts, its changes (each with its fields and writes, opened on click)
    and the unmanaged objects in its scope."""
    report = dict(body)
    counts = plan_formats.summary_counts(report)
    cost = report["cost"]
    out: list[str] = []
    if plan_formats.partial_warning(report):
        out.append(f'<p class="reason">{e(plan_formats.partial_warning(report))}</p>')
    out += [
        '<div class="tiles">',
        _tile(
            "to create", counts["create"], count="create", css="changes" if counts["create"] else ""
        ),
        _tile(
            "to update", counts["update"], count="update", css="changes" if counts["update"] else ""
        ),
        _tile(
            "to delete", counts["delete"], count="delete", css="failed" if counts["delete"] else ""
        ),
        _tile("writes", cost["writes"], count="writes"),
        "</div>",
    ]
    if report["changes"]:
        out.append(f"<{heading}>Changes</{heading}>")
    for change in report["changes"]:
        action = change["action"]
        ident = f" (id <code>{e(change['object_id'])}</code>)" if change.get("object_id") else ""
        verb = plan_formats._VERB[action].format(action=plan_formats._action_name(change))
        lines: list[str] = []
        if action == "reorder":
            lines = [
                f"{entry['value']} = {entry.get('label') or entry['id']}"
                for entry in change["ordering"]
            ]
        else:
            for record in change["fields"]:
                lines.extend(plan_formats.field_lines(action, record))
        steps = "".join(
            f"<li><code>{e(step['method'])} {e(step['path'])}</code></li>"
            for step in change["steps"]
        )
        note = f'<p class="note">note: {e(change["note"])}</p>' if change.get("note") else ""
        out.append(
            f'<details class="change" data-address="{e(change["address"])}" data-action="{e(action)}">'
            f'<summary><span class="sym-{e(action)}">{e(_SYMBOL[action])}</span> '
            f"<code>{e(change['address'])}</code> {e(verb)}{ident}</summary>"
            f'<div class="body">{note}<pre>{e(chr(10).join(lines))}</pre>'
            f"<h3>Writes</h3><ul>{steps or '<li>none</li>'}</ul></div></details>"
        )
    unmanaged = [u for u in report["unmanaged"] if u["in_scope"]]
    if unmanaged:
        out.append(f"<{heading}>Unmanaged in the scope (--prune deletes them)</{heading}><ul>")
        out.extend(
            f"<li><code>{e(u['kind'])}</code> {e(u['display_name'])} (id <code>{e(u['id'])}</code>)</li>"
            for u in unmanaged
        )
        out.append("</ul>")
    if not report["changes"] and not unmanaged:
        out.append('<p class="note">No changes: the tenant matches its manifests.</p>')
    return out


# --- fleet plan ---------------------------------------------------------------------------

FLEET_PLAN_TILES = (
    ("tenants", "tenants", ""),
    ("changes", "with changes", "changes"),
    ("no_changes", "without changes", "no-changes"),
    ("failed", "failed", "failed"),
)
PLAN_COUNTS = ("create", "update", "delete", "writes")


def _plan_tenant_block(tenant: Mapping[str, Any]) -> str:
    status = tenant["status"]
    head, inner = _tenant_head(tenant, PLAN_COUNTS, PLAN_STATUS_LABEL)
    if status == "failed":
        inner.extend(f"<p><code>{e(line)}</code></p>" for line in tenant.get("details") or ())
    elif tenant.get("body") is not None:
        inner.extend(plan_sections(tenant["body"]))
        inner.append(
            f'<p class="note">Plan <code>{e(tenant["plan"])}</code> · sha256 '
            f"<code>{e(tenant['checksum'][:12])}</code></p>"
        )
    css = "drift" if status == "changes" else status
    return (
        f'<details class="tenant {e(css)}" data-tenant="{e(tenant["name"])}">{head}'
        f'<div class="body">{"".join(inner)}</div></details>'
    )


def fleet_plan(document: Mapping[str, Any]) -> str:
    """`reconciler show PLANS --format html`: a fleet plan, tenants by ring, each with its
    counts and its changes when opened."""
    summary = document["summary"]
    shard = document.get("shard")
    scope = f" · shard {shard['index']}/{shard['count']}" if shard else ""
    out = [
        f"<header><h1>Fleet {e(document['fleet'])}: plan</h1>",
        f'<p class="meta">{e(fleet_plan_summary_line(document))}<br>Graph <code>'
        f"{e(document['graph_url'])}</code> · made at {e(document['created_at'])}{scope}</p>",
        "</header>",
        '<div class="tiles">',
        *(_tile(label, summary[key], count=key, css=css) for key, label, css in FLEET_PLAN_TILES),
        *(_tile(f"to {key}", summary[key], count=key) for key in ("create", "update", "delete")),
        "</div>",
    ]
    out.extend(_by_ring(document, "result", PLAN_COUNTS, _plan_tenant_block))
    return _page(f"Fleet {document['fleet']}: plan", out)


def fleet_plan_summary_line(document: Mapping[str, Any]) -> str:
    s = document["summary"]
    failed = [t["name"] for t in document["tenants"] if t["status"] == "failed"]
    return (
        f"Fleet plan: {s['tenants']} tenant(s): {s['changes']} with changes, {s['no_changes']} "
        f"without, {s['failed']} failed"
        + (f" ({', '.join(failed)})" if failed else "")
        + f"; {s['create']} to create, {s['update']} to update, {s['delete']} to delete"
        + _missing_shards(document)
        + "."
    )
