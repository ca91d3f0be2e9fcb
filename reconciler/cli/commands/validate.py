"""`reconciler validate PATH...`: check manifests offline.

`--format json` writes one document (`valid`, `resources`, `issues` with file, line, column,
path and message); `--format github` writes workflow commands, so each issue is an
annotation on its line of the pull request.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from reconciler.cli.exits import EXIT_ERROR, EXIT_OK
from reconciler.errors import ManifestError, ManifestIssue

if TYPE_CHECKING:
    from reconciler.values.desired import Desired


def _issue_json(issue: ManifestIssue) -> dict[str, object]:
    return {
        "file": issue.file,
        "line": issue.line,
        "column": issue.column,
        "path": issue.path,
        "message": issue.message,
        "text": str(issue),
    }


def _escape(value: str, *, property_value: bool = False) -> str:
    """GitHub's workflow-command escaping: %, CR and LF always; ':' and ',' in properties."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def _annotation(issue: ManifestIssue) -> str:
    props = [f"file={_escape(issue.file, property_value=True)}"]
    if issue.line is not None:
        props.append(f"line={issue.line}")
        if issue.column is not None:
            props.append(f"col={issue.column}")
    props.append("title=reconciler validate")
    message = f"{issue.path}: {issue.message}" if issue.path else issue.message
    return f"::error {','.join(props)}::{_escape(message)}"


def _summary(desired: Desired) -> dict[str, int]:
    return {
        "resources": len(desired.resources),
        "kinds": len({r.kind for r in desired.resources}),
        "files": len(desired.files),
    }


def run(args: argparse.Namespace) -> int:
    from reconciler.engine import catalog
    from reconciler.load import manifests

    try:
        desired = manifests.load(args.paths)
    except ManifestError as error:
        if args.format == "text":
            raise
        if args.format == "json":
            body = {"valid": False, "issues": [_issue_json(i) for i in error.issues]}
            print(json.dumps(body, indent=2, ensure_ascii=False))
        else:
            for issue in error.issues:
                print(_annotation(issue))
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    unchecked = catalog.uses_catalog(desired)
    counts = _summary(desired)
    if args.format == "json":
        body = {"valid": True, **counts, "issues": [], "catalog_checked": not unchecked}
        print(json.dumps(body, indent=2, ensure_ascii=False))
        return EXIT_OK
    if args.format == "github":
        print(f"::notice title=reconciler validate::{counts['resources']} resource(s) valid")
    print(
        f"Valid: {counts['resources']} resource(s) of {counts['kinds']} kind(s) "
        f"in {counts['files']} file(s).",
        file=sys.stdout if args.format == "text" else sys.stderr,
    )
    if unchecked:
        print(
            "Not checked offline: the settings against the tenant's catalog "
            "(plan and drift check every setting and option).",
            file=sys.stdout if args.format == "text" else sys.stderr,
        )
    return EXIT_OK
