"""Plans as text, JSON and Markdown, all rendered from the plan's JSON form. Pure.

`plan_json(plan)` is the documented machine format; the other renderers read only that dict,
so every format shows the same facts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.report.text import (
    details,
    json_diff_lines,
    names_shown,
    outside_scope_note,
    paint,
    short,
)
from reconciler.values.plan import Plan

MAX_DETAIL_LINES = 40

_SYMBOL = {"create": "+", "update": "~", "delete": "-", "replace": "-/+", "reorder": "~"}
_VERB = {
    "create": "will be created",
    "update": "will be updated in place",
    "delete": "will be deleted",
    "replace": "will be replaced (created anew, then the old one deleted)",
    "reorder": "will be reordered in one {action} call",
}


def plan_json(plan: Plan) -> dict[str, Any]:
    body = plan.to_json_dict()
    body["summary"] = summary_counts(body)
    return body


def summary_counts(body: dict[str, Any]) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "delete": 0}
    for change in body["changes"]:
        # A replace creates one object and deletes another, as Terraform counts it.
        for action in (
            ("create", "delete") if change["action"] == "replace" else (change["action"],)
        ):
            if action in counts:
                counts[action] += 1
    return counts


def summary_line(body: dict[str, Any]) -> str:
    counts = summary_counts(body)
    if not any(change["steps"] for change in body["changes"]):
        return "No changes. The tenant matches the manifests."
    return (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete."
    )


def _unmanaged(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Unclaimed objects inside the scope (prunable), and outside it (information)."""
    unmanaged = body["unmanaged"]
    return [u for u in unmanaged if u["in_scope"]], [u for u in unmanaged if not u["in_scope"]]


def _action_name(change: dict[str, Any]) -> str:
    """The bound action a reorder calls: the last segment of its step's path."""
    steps = change.get("steps") or []
    return str(steps[0]["path"]).rsplit("/", 1)[-1] if steps else "one"


def _is_document(value: Any) -> bool:
    return isinstance(value, dict | list)


def _field_lines(action: str, record: dict[str, Any], *, full: bool = False) -> list[str]:
    """A changed field: a scalar as `old -> new`; a document as one line per nested value
    that differs (`full`: a diff of the whole documents); what a delete destroys."""
    name, before, after = record["field"], record["before"], record["after"]
    if action == "create" and _is_keyed(after) and not full:
        # a keyed collection (settings by address or definition id): one line per item,
        # so a created profile names each setting as an update would
        return [f"+ {name}/{key} = {short(value)}" for key, value in after.items()]
    if action == "create":
        return [f"+ {name} = {short(after)}"]
    if action == "delete":
        return [f"- {name} = {short(before)}"]
    if not (_is_document(before) or _is_document(after)):
        return [f"~ {name} = {short(before)} -> {short(after)}"]
    if record["details"] and _is_document(before) and _is_document(after) and not full:
        found = details(name, before, after, record["details"])
        shown = [d.line() for d in found[:MAX_DETAIL_LINES]]
        more = len(found) - len(shown)
        return shown + ([f"  ... and {more} more"] if more > 0 else [])
    lines = json_diff_lines(before, after, whole=full)
    return [f"~ {name}:", *("    " + line for line in lines)]


def _is_keyed(value: Any) -> bool:
    """A mapping of mappings: a collection keyed by what names its items."""
    return (
        isinstance(value, dict) and bool(value) and all(isinstance(v, dict) for v in value.values())
    )


def _names_shown(body: dict[str, Any]) -> Callable[[str], str]:
    labels = [c["display_name"] for c in body["changes"]] + [
        u["display_name"] for u in body["unmanaged"]
    ]
    labels += [e.get("label", "") for c in body["changes"] for e in c.get("ordering") or ()]
    return names_shown(labels)


def _order_line(entry: dict[str, Any], shown: Callable[[str], str]) -> str:
    ident = entry["id"]
    where = f"to be created: {ident[4:-1]}" if ident.startswith("{id:") else ident
    label = entry.get("label") or ""
    return (
        f"      {entry['value']} = {shown(label)} ({where})"
        if label
        else (f"      {entry['value']} = {ident}")
    )


def _reads(cost: dict[str, Any]) -> str:
    """The read cost: HTTP requests, and Graph's request units when $batch made them more
    (each batched item counts one against the throttling limits)."""
    units = cost.get("read_units") or 0
    more = f" ({units} request units)" if units > cost["read_requests"] else ""
    return f"{cost['read_requests']} read requests{more}"


def partial_warning(body: dict[str, Any]) -> str:
    """Terraform's warning for a plan limited by --target; "" for a full plan."""
    if not body.get("targets"):
        return ""
    return (
        f"Warning: this plan is partial (--target {', '.join(body['targets'])}): changes the "
        "manifests need elsewhere are not in it; the next full plan shows them."
    )


def text(body: dict[str, Any], *, color: bool = False, full_diff: bool = False) -> str:
    shown = _names_shown(body)
    out: list[str] = [f"Graph: {body['graph_url']}", ""]
    if partial_warning(body):
        out += [partial_warning(body), ""]
    for change in body["changes"]:
        action = change["action"]
        symbol = _SYMBOL[action]
        ident = f" (id {change['object_id']})" if change.get("object_id") else ""
        verb = _VERB[action].format(action=_action_name(change))
        out.append(f"  # {change['address']} {verb}{ident}")
        if change.get("note"):
            out.append(f"  # note: {change['note']}")
        if action == "reorder":
            label = change["address"].split(":", 1)[0]
            out.append(f"  {symbol} {label} {{")
            out.extend(_order_line(e, shown) for e in change["ordering"])
            out.append("    }")
        else:
            out.append(f"  {symbol} {change['kind']} {shown(change['display_name'])} {{")
            for record in change["fields"]:
                out.extend(f"      {line}" for line in _field_lines(action, record, full=full_diff))
            out.append("    }")
        out.append("")
    scoped, outside = _unmanaged(body)
    if scoped:
        out.append("Unmanaged objects in the scope (not in any manifest; --prune deletes them):")
        out.extend(f"  ? {u['kind']} {shown(u['display_name'])} (id {u['id']})" for u in scoped)
        out.append("")
    if outside:
        out.append(outside_scope_note(outside, shown))
        out.append("")
    cost = body["cost"]
    rechecks = cost.get("recheck_reads") or 0
    out.append(
        f"Cost: {_reads(cost)}; {cost['writes']} writes, "
        f"at least {cost['min_write_seconds']:g} s under the documented write limit"
        + (f"; apply re-checks with up to {rechecks} more reads." if rechecks else ".")
    )
    out.append(summary_line(body))
    if partial_warning(body):
        out.append(partial_warning(body))
    return "\n".join(paint(line, color) for line in out) + "\n"


def markdown(body: dict[str, Any], *, full_diff: bool = False) -> str:
    out = [f"### reconciler plan: {summary_line(body)}", ""]
    if partial_warning(body):
        out += [f"> **{partial_warning(body)}**", ""]
    if body["changes"]:
        out += ["| | resource | id | fields |", "|---|---|---|---|"]
        for change in body["changes"]:
            fields = ", ".join(f"`{r['field']}`" for r in change["fields"]) or "priority order"
            out.append(
                f"| {_SYMBOL[change['action']]} {change['action']} | `{change['address']}` "
                f"| {change.get('object_id') or ''} | {fields} |"
            )
        out.append("")
        for change in body["changes"]:
            if not change["fields"]:
                continue
            out += [f"<details><summary>{change['address']}</summary>", "", "```diff"]
            for record in change["fields"]:
                out.extend(_field_lines(change["action"], record, full=full_diff))
            out += ["```", "", "</details>", ""]
    scoped, outside = _unmanaged(body)
    if scoped:
        out.append("**Unmanaged** in the scope (use `--prune` to delete):")
        out.extend(f"- `{u['kind']}` {u['display_name']} ({u['id']})" for u in scoped)
        out.append("")
    if outside:
        out.append(outside_scope_note(outside))
        out.append("")
    cost = body["cost"]
    out.append(
        f"_{_reads(cost)}; {cost['writes']} writes "
        f"(≥ {cost['min_write_seconds']:g} s at the documented write limit). "
        f"Graph: {body['graph_url']}_"
    )
    return "\n".join(out) + "\n"
