"""Completion scripts made from the parser: bash is run for real; the others are checked
for every command and the choices of an option."""

from __future__ import annotations

import subprocess

import pytest

from reconciler.cli.commands.completion import SCRIPTS, commands
from reconciler.cli.parser import build_parser
from tests.support.cli import run_process


def _complete(script: str, words: list[str]) -> list[str]:
    """COMPREPLY for a command line whose last word is being completed, in a real bash."""
    line = " ".join(f"'{w}'" for w in words)
    program = (
        f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _reconciler; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    proc = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


@pytest.fixture(scope="module")
def bash_script() -> str:
    result = run_process("completion", "bash")
    assert result.code == 0, result.err
    return result.out


def test_bash_completes_commands_options_and_choices(bash_script):
    assert "plan" in _complete(bash_script, ["reconciler", "pl"])
    assert _complete(bash_script, ["reconciler", "drift", "m", "--fail"]) == ["--fail-on"]
    assert _complete(bash_script, ["reconciler", "plan", "m", "--format", ""]) == [
        "text",
        "json",
        "markdown",
    ]
    assert _complete(bash_script, ["reconciler", "completion", "p"]) == ["powershell"]


@pytest.mark.parametrize("shell", ["zsh", "fish", "powershell"])
def test_other_shells_name_every_command_and_choice(shell):
    script = SCRIPTS[shell](build_parser())
    for command in commands(build_parser()):
        assert command.name in script, (shell, command.name)
    assert "markdown" in script and "--lock-timeout" in script.replace(
        "-l lock-timeout", "--lock-timeout"
    )
