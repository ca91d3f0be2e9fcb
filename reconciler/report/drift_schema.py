"""The JSON Schema of the drift document (`reconciler drift --format json`, `--report X.json`).

Kept as data beside the code that produces the document (`drift.drift_json`); the tests
validate real output against it, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

_POSITION: dict[str, Any] = {
    "type": ["object", "null"],
    "description": "Where the manifest declares it (1-based line and column).",
    "required": ["file", "line", "column"],
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string"},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": "integer", "minimum": 1},
    },
}
_COUNT = {"type": "integer", "minimum": 0}
_OBJECTS: dict[str, Any] = {
    "type": "array",
    "description": "Live objects of a managed kind that no manifest claims.",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["kind", "id", "display_name"],
        "properties": {
            "kind": {"type": "string"},
            "id": {"type": "string"},
            "display_name": {"type": "string"},
        },
    },
}

DRIFT_JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://reconciler.invalid/schemas/drift-v2.json",
    "title": "reconciler drift report, format_version 2",
    "description": (
        "Output of `reconciler drift --format json` and `--report FILE.json`. `drift` is true "
        "when any resource drifted or is missing or any unmanaged object inside the set's "
        "scope exists (exit 2); objects outside the scope (`outside_scope`) and ignored "
        "pointers never count."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": [
        "format_version",
        "tool_version",
        "graph_url",
        "checked_at",
        "manifest_hash",
        "read_requests",
        "drift",
        "summary",
        "resources",
        "unmanaged",
        "outside_scope",
    ],
    "properties": {
        "format_version": {"const": 2},
        "tool_version": {"type": "string"},
        "graph_url": {"type": "string"},
        "checked_at": {"type": "string", "description": "ISO 8601 time of the check."},
        "manifest_hash": {"type": "string"},
        "read_requests": _COUNT,
        "read_units": {**_COUNT, "description": "Graph's request units: each $batch item is one."},
        "drift": {"type": "boolean"},
        "summary": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "resources",
                "in_sync",
                "drifted_resources",
                "drifted_fields",
                "missing",
                "unmanaged",
                "outside_scope",
                "ignored_pointers",
                "ignored_differences",
            ],
            "properties": {
                "resources": _COUNT,
                "in_sync": _COUNT,
                "drifted_resources": _COUNT,
                "drifted_fields": _COUNT,
                "missing": _COUNT,
                "unmanaged": {**_COUNT, "description": "unmanaged objects inside the scope"},
                "outside_scope": {**_COUNT, "description": "unmanaged objects outside it"},
                "ignored_pointers": {
                    **_COUNT,
                    "description": "metadata.ignore pointers honoured.",
                },
                "ignored_differences": {
                    **_COUNT,
                    "description": "Ignored pointers where the live value differs.",
                },
            },
        },
        "resources": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "address",
                    "kind",
                    "object_id",
                    "display_name",
                    "status",
                    "source",
                    "fields",
                    "ignored",
                ],
                "properties": {
                    "address": {"type": "string", "description": "kind/metadata.name"},
                    "kind": {"type": "string"},
                    "object_id": {"type": ["string", "null"]},
                    "display_name": {"type": "string"},
                    "status": {"enum": ["in_sync", "drifted", "missing"]},
                    "source": _POSITION,
                    "fields": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": [
                                "field",
                                "pointer",
                                "desired",
                                "live",
                                "details",
                                "source",
                            ],
                            "properties": {
                                "field": {"type": "string"},
                                "pointer": {"type": "string", "pattern": "^/spec/"},
                                "desired": {"description": "Normalised manifest value."},
                                "live": {"description": "Normalised live value (null: absent)."},
                                "details": {
                                    "type": "array",
                                    "items": {"type": "string", "pattern": "^/spec/"},
                                },
                                "source": _POSITION,
                            },
                        },
                    },
                    "ignored": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["pointer", "differs"],
                            "properties": {
                                "pointer": {"type": "string", "pattern": "^/spec/"},
                                "differs": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        },
        "unmanaged": _OBJECTS,
        "outside_scope": _OBJECTS,
    },
}
