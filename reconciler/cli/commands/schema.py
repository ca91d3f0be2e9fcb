"""`reconciler schema [--plan|--drift]`: print a JSON Schema (manifests by default)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from reconciler.cli.exits import EXIT_OK


def _schema(args: argparse.Namespace) -> dict[str, Any]:
    if args.plan:
        from reconciler.values.plan import Plan

        # Generated from the models the plan file is validated against, so it cannot lag.
        plan = Plan.model_json_schema(mode="serialization")
        definitions = plan.pop("$defs", {})  # their "#/$defs/..." references need the root
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "reconciler saved plan",
            "type": "object",
            "required": ["checksum", "plan"],
            "properties": {
                "checksum": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "plan": plan,
            },
            "$defs": definitions,
        }
    if args.drift:
        from reconciler.report.drift_schema import DRIFT_JSON_SCHEMA

        return DRIFT_JSON_SCHEMA
    from reconciler.load import manifest_schema

    return manifest_schema.json_schema()


def run(args: argparse.Namespace) -> int:
    print(json.dumps(_schema(args), indent=2, sort_keys=True))
    return EXIT_OK
