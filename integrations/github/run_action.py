"""The step of `action.yml` that runs reconciler: GitHub passes the inputs as INPUT_* variables.

Builds `reconciler COMMAND PATHS... --auth AUTH ARGS...` (PATHS and ARGS split as a POSIX shell
would, so quoting works the same on Linux, macOS and Windows runners), runs it with its
standard output copied to the log and to a file, and writes the step outputs:

- `exit-code`: reconciler's exit code (0 nothing to change, 1 error, 2 changes or drift);
- `stdout-file`: the file holding standard output (the Markdown plan with `--format markdown`);
- `reports`: the files named by `--report` and `--out`, one per line, those that exist;
- `plan-file`: the `--out` of a plan, when it was written.

The step fails only on an error (exit 1, or anything but 0 and 2): exit 2 is a successful plan
with changes or a drift check that found drift, and the workflow decides what that means
after it has published the reports. Standard library only: it runs before anything else is
known to be installed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

COMMANDS = ("validate", "plan", "apply", "drift", "export", "schema")
NO_AUTH = ("validate", "schema")  # offline commands take no --auth
REPORT_OPTIONS = ("--report", "--out")


def command_line(inputs: Mapping[str, str]) -> list[str]:
    """The reconciler argv for the action's inputs; ValueError names a bad input."""
    command = inputs.get("command", "").strip()
    if command not in COMMANDS:
        raise ValueError(f"input 'command' must be one of {', '.join(COMMANDS)}, got {command!r}")
    argv = [command]
    if command not in ("export", "schema"):
        argv += shlex.split(inputs.get("paths", ""))
    auth = inputs.get("auth", "").strip()
    if auth and command not in NO_AUTH:
        argv += ["--auth", auth]
    return argv + shlex.split(inputs.get("args", ""))


def named_files(argv: Sequence[str], options: Sequence[str] = REPORT_OPTIONS) -> list[str]:
    """The values of `options` (--report and --out), in order (`--out X` and `--out=X`)."""
    found = []
    for i, arg in enumerate(argv):
        name, equals, value = arg.partition("=")
        if name in options:
            if equals:
                found.append(value)
            elif i + 1 < len(argv):
                found.append(argv[i + 1])
    return found


def _inputs(environ: Mapping[str, str]) -> dict[str, str]:
    # A composite action's inputs reach its steps only through `env:`; action.yml maps each
    # one to INPUT_<NAME> with "-" spelled "_" (INPUT_STDOUT_FILE for stdout-file).
    return {
        key[len("INPUT_") :].lower().replace("_", "-"): value
        for key, value in environ.items()
        if key.startswith("INPUT_")
    }


def _write_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for key, value in outputs.items():
            if "\n" in value:  # GitHub's multi-line syntax, with a delimiter no value holds
                delimiter = f"EOF_{uuid.uuid4().hex}"
                handle.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                handle.write(f"{key}={value}\n")


def main(environ: Mapping[str, str] = os.environ) -> int:
    inputs = _inputs(environ)
    try:
        argv = command_line(inputs)
    except ValueError as error:
        print(f"::error::reconciler action: {error}", flush=True)
        return 1
    executable = shutil.which("reconciler")
    if executable is None:
        print("::error::reconciler action: the reconciler command is not installed", flush=True)
        return 1
    stdout_file = Path(
        inputs.get("stdout-file")
        or Path(environ.get("RUNNER_TEMP", ".")) / f"reconciler-{argv[0]}.out"
    )
    stdout_file.parent.mkdir(parents=True, exist_ok=True)
    print(f"$ reconciler {shlex.join(argv)}", flush=True)
    with stdout_file.open("w", encoding="utf-8", newline="\n") as copy:
        # PYTHONUTF8: on Windows a piped child would otherwise write the ANSI code page.
        process = subprocess.Popen(
            [executable, *argv],
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONUTF8": "1"},
        )
        assert process.stdout is not None
        for line in process.stdout:  # the log shows progress as it happens
            sys.stdout.write(line)
            copy.write(line)
        code = process.wait()
    sys.stdout.flush()
    written = [f for f in named_files(argv) if Path(f).is_file()]
    outs = [f for f in named_files(argv, ("--out",)) if Path(f).is_file()]
    plan_file = outs[-1] if argv[0] == "plan" and outs else ""
    _write_outputs(
        environ.get("GITHUB_OUTPUT"),
        {
            "exit-code": str(code),
            "stdout-file": str(stdout_file),
            "reports": "\n".join(written),
            "plan-file": plan_file,
        },
    )
    if code in (0, 2):
        return 0
    print(f"::error::reconciler {argv[0]} failed (exit {code}); see the log above.", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
