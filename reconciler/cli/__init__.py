"""Command line: the only package that prints, prompts or chooses exit codes.

Exit codes (`exits`): 0 success and nothing to change, 1 error, 2 changes or drift found.
Errors reach the user here, once: the message, then `hint:` with the next step.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from reconciler.cli.exits import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from reconciler.errors import ManifestError, ReconcilerError

__all__ = ["EXIT_CHANGES", "EXIT_ERROR", "EXIT_OK", "main"]


def _print_error(error: ReconcilerError) -> None:
    if isinstance(error, ManifestError):
        for issue in error.issues:
            print(f"error: {issue}", file=sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return
    print(f"error: {error}", file=sys.stderr)
    if error.hint:
        print(f"hint: {error.hint}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["emulator"]:
        # The emulator parses its own flags; argparse.REMAINDER would refuse a leading "--x".
        from reconciler.emulator import cli as emulator_cli

        return emulator_cli.main(arguments[1:])
    from reconciler.cli.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(arguments)
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
