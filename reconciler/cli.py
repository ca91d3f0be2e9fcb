"""Command line: the only module that prints, prompts or chooses exit codes.

Exit codes: 0 success and nothing to change, 1 error, 2 changes or drift found.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from reconciler import __version__
from reconciler.errors import ManifestError, ReconcilerError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2


def _print_error(error: ReconcilerError) -> None:
    if isinstance(error, ManifestError):
        for issue in error.issues:
            print(f"error: {issue}", file=sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return
    print(f"error: {error}", file=sys.stderr)
    if error.hint:
        print(f"hint: {error.hint}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from reconciler import manifests

    desired = manifests.load(args.paths)
    kinds = len({r.kind for r in desired.resources})
    print(
        f"Valid: {len(desired.resources)} resource(s) of {kinds} kind(s) "
        f"in {len(desired.files)} file(s)."
    )
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from reconciler import schema

    print(json.dumps(schema.json_schema(), indent=2, sort_keys=True))
    return EXIT_OK


def cmd_emulator(args: argparse.Namespace) -> int:
    from reconciler.emulator import cli as emulator_cli

    return emulator_cli.main(args.emulator_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reconciler",
        description="Configuration-as-code for Microsoft 365 Office client policies.",
    )
    parser.add_argument("--version", action="version", version=f"reconciler {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="validate manifests offline")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the manifest JSON Schema")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("emulator", help="run the local Graph emulator", add_help=False)
    p.add_argument("emulator_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_emulator)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ReconcilerError as error:
        _print_error(error)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # a bug: say so in one line, traceback only with --debug
        if args.debug:
            raise
        print(f"error: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("hint: run again with --debug and report the traceback", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
