"""Manifest documents and sets written to disk: as YAML text (`policy_doc`, `write_set`)
or as values written as JSON, which is YAML (`manifest`, `write_manifests`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .tenant import SECURITY


def policy_doc(
    name: str,
    display: str,
    priority: int,
    *,
    kind: str = SECURITY,
    description: str | None = "managed",
    payload: Any = None,
    groups: list[str] | None = None,
    extra_meta: str = "",
) -> str:
    """One Office policy manifest as YAML text."""
    lines = [
        "apiVersion: reconciler/v1",
        f"kind: {kind}",
        "metadata:",
        f"  name: {name}",
    ]
    if extra_meta:
        lines.append(extra_meta)
    lines += ["spec:", f"  displayName: {json.dumps(display)}", f"  priority: {priority}"]
    if description is not None:
        lines.append(f"  description: {json.dumps(description)}")
    if payload is not None:
        lines.append(f"  policyPayload: {{inline: {json.dumps(payload)}}}")
    if groups == []:
        lines.append("  assignments: []")
    elif groups is not None:
        lines.append("  assignments:")
        lines += [f"    - groupId: {g}" for g in groups]
    return "\n".join(lines) + "\n"


def write_set(root: Path, *docs: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "policies.yaml").write_text("---\n".join(docs), encoding="utf-8")
    return root


def manifest(
    name: str,
    display: str,
    priority: int,
    *,
    kind: str = SECURITY,
    policy_id: str | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """One manifest document as a value (written as JSON, which is YAML). `spec` fields
    named policyPayload/userPreferencePayload take the JSON document, or None to clear."""
    body: dict[str, Any] = {"displayName": display, "priority": priority}
    for key, value in spec.items():
        if key in ("policyPayload", "userPreferencePayload") and value is not None:
            value = {"inline": value}
        if key == "assignments" and value is not None:
            value = [{"groupId": g} for g in value]
        body[key] = value
    metadata: dict[str, Any] = {"name": name}
    if policy_id:
        metadata["id"] = policy_id
    return {"apiVersion": "reconciler/v1", "kind": kind, "metadata": metadata, "spec": body}


def write_manifests(root: Path, documents: list[dict[str, Any]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("*.yaml"):
        old.unlink()
    text = "---\n".join(json.dumps(doc, indent=1) + "\n" for doc in documents)
    (root / "policies.yaml").write_text(text, encoding="utf-8")
    return root
