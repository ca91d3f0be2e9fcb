"""`reconciler schema`: print the manifests' JSON Schema."""

from __future__ import annotations

import argparse
import json

from reconciler.cli.exits import EXIT_OK


def run(args: argparse.Namespace) -> int:
    from reconciler.load import manifest_schema

    print(json.dumps(manifest_schema.json_schema(), indent=2, sort_keys=True))
    return EXIT_OK
