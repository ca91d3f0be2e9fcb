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


def _quiet_broken_pipe() -> int:
    """`reconciler schema | head`: the reader left; end quietly, as other tools do."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail
    except (OSError, ValueError):
        pass
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        # A name no code page can show must not crash a Windows console or a redirected pipe.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    if arguments[:1] == ["emulator"]:
        # The emulator parses its own flags; argparse.REMAINDER would refuse a leading "--x".
        from reconciler.emulator import cli as emulator_cli

        return emulator_cli.main(arguments[1:])
    from reconciler.cli import logs
    from reconciler.cli.parser import build_parser

    parser = build_parser()
    if not arguments:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    args = parser.parse_args(arguments)
    if getattr(args, "func", None) is None:  # only --debug or -v
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    debug = logs.configure(debug=args.debug, verbose=args.verbose)
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
        return code
    except ReconcilerError as error:
        _print_error(error)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except Exception as error:  # a bug: say so in one line, traceback only with --debug
        if debug:
            raise
        print(f"error: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("hint: run again with --debug and report the traceback", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
