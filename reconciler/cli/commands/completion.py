"""`reconciler completion bash|zsh|powershell|fish`: a completion script made from the
parser itself, so a new command or option completes without anyone editing a script.

Each script completes the command names, then the options of the command given, the values
of options with fixed choices, and file names elsewhere.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from reconciler.cli.exits import EXIT_OK


@dataclass
class Command:
    name: str
    summary: str
    options: list[str] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=dict)  # option -> its values
    positional_choices: list[str] = field(default_factory=list)


def commands(parser: argparse.ArgumentParser) -> list[Command]:
    """Every command of `parser` with its options and their fixed values."""
    found: list[Command] = []
    for action in parser._actions:  # argparse has no public walk of its tree
        if not isinstance(action, argparse._SubParsersAction):
            continue
        summaries = {c.dest: c.help or "" for c in action._choices_actions}
        for name, sub in action.choices.items():
            command = Command(name, summaries.get(name, ""))
            for option in sub._actions:
                if option.option_strings:
                    command.options.extend(s for s in option.option_strings if s.startswith("--"))
                    if option.choices:
                        for flag in option.option_strings:
                            command.choices[flag] = [str(c) for c in option.choices]
                elif option.choices:
                    command.positional_choices = [str(c) for c in option.choices]
            found.append(command)
    return found


def _top_options(parser: argparse.ArgumentParser) -> list[str]:
    return [s for a in parser._actions for s in a.option_strings if s.startswith("--")]


def bash(parser: argparse.ArgumentParser) -> str:
    found = commands(parser)
    names = " ".join([c.name for c in found] + _top_options(parser))
    option_cases = "\n".join(
        f'    {c.name}) opts="{" ".join(c.options)}"; words="{" ".join(c.positional_choices)}" ;;'
        for c in found
    )
    choice_cases = "\n".join(
        f'    {c.name}:{flag}) COMPREPLY=($(compgen -W "{" ".join(values)}" -- "$cur")); return ;;'
        for c in found
        for flag, values in c.choices.items()
    )
    return f"""# reconciler completion for bash: source it, or save it as
# ~/.local/share/bash-completion/completions/reconciler
_reconciler() {{
  local cur prev cmd opts words w
  cur="${{COMP_WORDS[COMP_CWORD]}}"
  prev="${{COMP_WORDS[COMP_CWORD-1]}}"
  cmd=""
  for w in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
    case "$w" in -*) ;; *) cmd="$w"; break ;; esac
  done
  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W "{names}" -- "$cur"))
    return
  fi
  case "$cmd:$prev" in
{choice_cases}
  esac
  case "$cmd" in
{option_cases}
    *) opts=""; words="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ -n "$words" ]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _reconciler reconciler
"""


def zsh(parser: argparse.ArgumentParser) -> str:
    # zsh runs bash completion functions through bashcompinit: one script to keep right.
    return (
        "# reconciler completion for zsh: add to ~/.zshrc: source <(reconciler completion zsh)\n"
        "autoload -U +X compinit && compinit\n"
        "autoload -U +X bashcompinit && bashcompinit\n" + bash(parser)
    )


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(parser: argparse.ArgumentParser) -> str:
    lines = ["# reconciler completion for fish: save as ~/.config/fish/completions/reconciler.fish"]
    for c in commands(parser):
        lines.append(
            f"complete -c reconciler -f -n __fish_use_subcommand -a {c.name} "
            f"-d {_fish_quote(c.summary)}"
        )
        seen = f"'__fish_seen_subcommand_from {c.name}'"
        for option in c.options:
            values = c.choices.get(option)
            extra = f" -x -a {_fish_quote(' '.join(values))}" if values else ""
            lines.append(f"complete -c reconciler -n {seen} -l {option[2:]}{extra}")
        if c.positional_choices:
            lines.append(
                f"complete -c reconciler -f -n {seen} -a {_fish_quote(' '.join(c.positional_choices))}"
            )
    return "\n".join(lines) + "\n"


def _ps_list(values: list[str]) -> str:
    return "@(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def powershell(parser: argparse.ArgumentParser) -> str:
    found = commands(parser)
    options = "\n".join(
        f"    '{c.name}' = {_ps_list(c.options + c.positional_choices)}" for c in found
    )
    choices = "\n".join(
        f"    '{c.name} {flag}' = {_ps_list(values)}"
        for c in found
        for flag, values in c.choices.items()
    )
    names = _ps_list([c.name for c in found] + _top_options(parser))
    return f"""# reconciler completion for PowerShell: add to $PROFILE:
#   reconciler completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName reconciler -ScriptBlock {{
  param($wordToComplete, $commandAst, $cursorPosition)
  $options = @{{
{options}
  }}
  $choices = @{{
{choices}
  }}
  $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object {{ $_.ToString() }})
  if ($wordToComplete -ne '' -and $words.Count -gt 0) {{ $words = @($words | Select-Object -SkipLast 1) }}
  $command = $words | Where-Object {{ -not $_.StartsWith('-') }} | Select-Object -First 1
  if (-not $command) {{
    $candidates = {names}
  }} elseif ($words.Count -gt 0 -and $choices.ContainsKey("$command $($words[-1])")) {{
    $candidates = $choices["$command $($words[-1])"]
  }} else {{
    $candidates = $options[$command]
  }}
  $candidates | Where-Object {{ $_ -like "$wordToComplete*" }} | ForEach-Object {{
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }}
}}
"""


SCRIPTS = {"bash": bash, "zsh": zsh, "fish": fish, "powershell": powershell}


def run(args: argparse.Namespace) -> int:
    from reconciler.cli.parser import build_parser

    print(SCRIPTS[args.shell](build_parser()), end="")
    return EXIT_OK
