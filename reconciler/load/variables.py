"""What varies per tenant of a fleet: `${var.NAME}` in manifests, and groups named by
`displayName`.

An `Expansion` is given to `manifests.load` for one tenant; without one, manifests load
as written (a `${var.X}` is then plain text).

- `${var.NAME}` may stand in any string value of a YAML manifest and of the JSON files
  it names (payloads, settings), never in a key. A string that is exactly one reference
  takes the variable's typed value (`guid` and `string` a string, `int` an integer,
  `bool` true or false, a null default null); a reference inside longer text is
  replaced by the value's text (`true`/`false` for a bool; a null there is an error).
  `$${` writes a literal `${`. Only `${var.` starts a reference: other `${...}` text
  (a PowerShell or shell variable in a payload) is left alone.
- `groupId: {displayName: NAME}` names an Entra ID group by its name; it becomes the
  group's id in the tenant (`groups`, resolved at plan time), or a stable placeholder id
  when loading offline (`groups` is None), and every use is recorded (`used_groups`) so
  that the names can be resolved and problems located.

Every problem is located where the reference was written and names the tenant.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import ManifestIssue
from reconciler.kinds import directory
from reconciler.kinds.fields import GUID_PATTERN
from reconciler.load import json_positions
from reconciler.load.messages import describe, dotted, suggestion
from reconciler.load.yaml_events import YamlDocument
from reconciler.values.pointers import Loc

TYPES = ("guid", "string", "int", "bool")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# `$${` (an escaped `${`), or `${var.` and what follows up to the next `}` (or the end).
_TOKEN = re.compile(r"\$\$\{|\$\{var\.([^}]*)(\}?)")
_GUID = re.compile(GUID_PATTERN)
GROUP_KEY = directory.REFERENCE
GROUP_NAME = directory.NAME
# Offline, a group named by displayName gets an id derived from its name in this namespace.
_PLACEHOLDERS = uuid.UUID("2c5e8f0a-7d3b-4c61-9a2e-5b8d1f4c7e90")


def type_problem(kind: str, value: Any) -> str | None:
    """Why `value` is not of the variable type `kind` (None when it is; null always is)."""
    if value is None:
        return None
    if kind == "guid":
        ok = isinstance(value, str) and bool(_GUID.match(value))
    elif kind == "string":
        ok = isinstance(value, str)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "bool":
        ok = isinstance(value, bool)
    else:
        raise ValueError(f"unknown variable type {kind!r}")
    return None if ok else f"{describe(value)}, not a {kind}"


def placeholder_group(name: str) -> str:
    """The id an offline load gives a group named `name` (the same for the same name)."""
    return str(uuid.uuid5(_PLACEHOLDERS, name.strip().casefold()))


@dataclass(frozen=True)
class GroupUse:
    """Where a manifest names a group by its displayName."""

    name: str
    file: str
    line: int | None
    column: int | None
    path: str

    def issue(self, message: str) -> ManifestIssue:
        return ManifestIssue(self.file, self.line, self.column, self.path, message)


@dataclass
class Expansion:
    """The variables and groups of one tenant, for one load.

    `types`: every declared variable's type; `values`: the tenant's value of each variable
    that has one (its own or the default); `groups`: casefolded displayName -> group id,
    or None offline. `source` says where the tenant's values are set, for messages.
    """

    tenant: str
    types: Mapping[str, str]
    values: Mapping[str, Any]
    groups: Mapping[str, str] | None = None
    source: str = "the fleet file"  # where the tenant's values are written
    used_groups: list[GroupUse] = field(default_factory=list)

    # -- one string ------------------------------------------------------------------------

    def _value(self, name: str) -> tuple[Any, str | None]:
        """(the typed value, None) or (None, why there is none)."""
        if not NAME.match(name):
            return None, (
                f"'${{var.{name}}}' is not a variable reference: write ${{var.NAME}} (letters, "
                "digits and _), or $${ for a literal ${"
            )
        if name not in self.types:
            declared = ", ".join(sorted(self.types)) or "none"
            return None, (
                f"${{var.{name}}}: no variable '{name}' is declared in the fleet"
                f"{suggestion(name, self.types)} (declared: {declared})"
            )
        if name not in self.values:
            return None, (
                f"${{var.{name}}} has no value for tenant {self.tenant} (set "
                f"values.{name} for it at {self.source}, or give the variable a default)"
            )
        value = self.values[name]
        problem = type_problem(self.types[name], value)
        if problem is not None:
            return None, f"${{var.{name}}} of tenant {self.tenant} is {problem}"
        return value, None

    def text(self, text: str) -> tuple[Any, list[str]]:
        """A string with its references replaced, and the problems found in it."""
        if "${" not in text:
            return text, []
        whole = _TOKEN.fullmatch(text)
        if whole is not None and whole.group(0) != "$${" and whole.group(2):
            value, problem = self._value(whole.group(1))
            return (text, [problem]) if problem else (value, [])
        problems: list[str] = []

        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            name = match.group(1)
            if not match.group(2):
                problems.append(
                    f"'{match.group(0)[:60]}' is not closed: write ${{var.NAME}}, or $${{ for "
                    "a literal ${"
                )
                return match.group(0)
            value, problem = self._value(name)
            if problem:
                problems.append(problem)
                return match.group(0)
            if value is None:
                problems.append(
                    f"${{var.{name}}} of tenant {self.tenant} is null, which cannot be part of "
                    "a text"
                )
                return match.group(0)
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)

        return _TOKEN.sub(replace, text), problems

    # -- whole documents -------------------------------------------------------------------

    def _group(self, name: str, use: GroupUse) -> tuple[str, str | None]:
        self.used_groups.append(use)
        if self.groups is None:
            return placeholder_group(name), None
        found = self.groups.get(name.strip().casefold())
        if found is None:
            return name, f"no group named '{name}' was resolved in tenant {self.tenant}"
        return found, None

    def _walk(
        self,
        value: Any,
        loc: Loc,
        report: Any,
        group_use: Any,
    ) -> Any:
        if isinstance(value, str):
            new, problems = self.text(value)
            for problem in problems:
                report(loc, problem)
            return new
        if isinstance(value, list):
            return [self._walk(v, (*loc, i), report, group_use) for i, v in enumerate(value)]
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                named = _group_name(item) if key == GROUP_KEY else None
                if named is not None:
                    at = (*loc, key, GROUP_NAME)
                    expanded, problems = self.text(named)
                    if not problems and (not isinstance(expanded, str) or not expanded.strip()):
                        problems = [f"a group's displayName is text, not {describe(expanded)}"]
                    for problem in problems:
                        report(at, problem)
                    if problems:
                        out[key] = item
                        continue
                    found, unresolved = self._group(expanded, group_use(at, expanded))
                    if unresolved:
                        report(at, unresolved)
                    out[key] = found
                else:
                    out[key] = self._walk(item, (*loc, key), report, group_use)
            return out
        return value

    def document(self, doc: YamlDocument, file: str) -> list[ManifestIssue]:
        """Expand a YAML document in place (its value; positions stay valid); the problems
        found, located in `file`."""
        issues: list[ManifestIssue] = []

        def where(loc: Loc) -> tuple[int | None, int | None]:
            while loc and loc not in doc.values:
                loc = loc[:-1]
            pos = doc.values.get(loc, doc.start)
            return pos[0], pos[1]

        def report(loc: Loc, message: str) -> None:
            line, column = where(loc)
            issues.append(ManifestIssue(file, line, column, dotted(loc), message))

        def group_use(loc: Loc, name: str) -> GroupUse:
            line, column = where(loc)
            return GroupUse(name, file, line, column, dotted(loc))

        doc.value = self._walk(doc.value, (), report, group_use)
        return issues

    def json(self, document: Any, text: str, file: str) -> tuple[Any, list[ManifestIssue]]:
        """A JSON document (a payload, settings) with its references replaced, and the
        problems found, located in its text."""
        issues: list[ManifestIssue] = []

        def report(loc: Loc, message: str) -> None:
            line, column = json_positions.position(text, loc)
            issues.append(ManifestIssue(file, line, column, dotted(loc), message))

        def group_use(loc: Loc, name: str) -> GroupUse:
            line, column = json_positions.position(text, loc)
            return GroupUse(name, file, line, column, dotted(loc))

        return self._walk(document, (), report, group_use), issues


def _group_name(value: Any) -> str | None:
    """The name of `{displayName: NAME}`, or None for any other value."""
    if isinstance(value, dict) and set(value) == {GROUP_NAME}:
        name = value[GROUP_NAME]
        if isinstance(name, str) and name.strip():
            return name
    return None
