"""The manifest JSON Schema (draft 2020-12), generated from the pydantic models.

Editors use it through yaml-language-server, with a first line such as
`# yaml-language-server: $schema=reconciler.schema.json`. The envelope comes from
`load.envelope.Envelope`; each registered kind adds an if/then that picks its spec model, so a new
kind in the registry appears here without code changes. `reconciler validate` remains the
authority: a schema cannot check payload files or uniqueness across files.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import ResourceKind
from reconciler.kinds.registry import Registry
from reconciler.load.envelope import Envelope

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _kind_rule(rt: ResourceKind) -> dict[str, Any]:
    then: dict[str, Any] = {"properties": {"spec": {"$ref": f"#/$defs/{rt.spec_model.__name__}"}}}
    if not rt.singleton:
        then["required"] = ["metadata"]
        then["properties"]["metadata"] = {"required": ["name"]}
    return {"if": {"properties": {"kind": {"const": rt.kind}}, "required": ["kind"]}, "then": then}


def json_schema(registry: Registry = REGISTRY) -> dict[str, Any]:
    """One schema for every manifest document; stable output (no timestamps, sorted kinds)."""
    kinds = sorted(registry, key=lambda rt: rt.kind)
    wanted: list[type[BaseModel]] = [Envelope, *(rt.spec_model for rt in kinds)]
    _, top = models_json_schema(
        [(model, "validation") for model in wanted], ref_template="#/$defs/{model}"
    )
    defs: dict[str, Any] = top["$defs"]
    envelope = defs.pop("Envelope")
    envelope["properties"]["kind"] = {
        "title": "Kind",
        "description": "the kind of Graph object this document declares",
        "enum": [rt.kind for rt in kinds],
    }
    envelope["properties"]["spec"] = {"title": "Spec", "type": "object"}
    return {
        "$schema": DIALECT,
        "title": "reconciler manifest",
        **envelope,
        "allOf": [_kind_rule(rt) for rt in kinds],
        "$defs": defs,
    }
