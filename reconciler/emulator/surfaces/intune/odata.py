"""OData query options as Intune's beta endpoints take them: which options a request
carries, ``$filter`` parsed into a tree and evaluated, ``$select`` and ``$expand`` parsed.

- Options: on beta the ``$`` is optional (``top`` = ``$top``, learn.microsoft.com
  query-parameters). :func:`options` returns them by bare name and refuses an option the
  endpoint does not take (and one given twice), so a client cannot rely on an option whose
  live behaviour is unknown. Other query parameters are not OData's and are ignored.
- ``$filter``: comparisons ``eq``, ``ne``, ``has`` (flags enums), ``and``, ``or``, ``not``,
  parentheses, and the string functions ``contains``, ``startswith``, ``endswith``, over
  property paths (``templateReference/templateFamily``, matched case-insensitively, as
  Microsoft365DSC's ``Name eq '...'`` is answered) and literals (strings with ``''`` for a
  quote, ``null``, ``true``, ``false``, integers). Operators are lower-case. An entity set
  passes a :class:`FilterSpec`: the properties it filters on and the operators and
  functions it allows; anything else is a 400.
- ``$select``/``$expand``: comma-separated names; ``$expand`` items may carry nested
  options in parentheses (``settings($expand=settingDefinitions)``). An unknown name is
  Graph's "Parsing OData Select and Expand failed" 400. :func:`expansions` serves one level
  with nested ``$select`` only (ASP.NET OData's "too deep" 400 for a nested ``$expand``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.emulator.errors import bad_request

SYSTEM_OPTIONS = frozenset(
    {
        "top", "skip", "skiptoken", "filter", "select", "expand", "orderby", "count",
        "search", "format", "apply", "compute", "levels", "deltatoken", "index",
    }
)  # fmt: skip


def options(query: Mapping[str, str], allowed: Iterable[str], *, where: str) -> dict[str, str]:
    """The request's OData options by bare name; a 400 for one ``where`` does not take."""
    permitted = set(allowed)
    found: dict[str, str] = {}
    for key, value in query.items():
        name = key[1:] if key.startswith("$") else key
        if not key.startswith("$") and name not in SYSTEM_OPTIONS:
            continue  # not an OData option
        if name not in permitted:
            raise bad_request(
                f"The query option '${name}' is not supported on {where} by the emulator "
                "(its live behaviour is not known)."
            )
        if name in found:
            raise bad_request(f"The query option '${name}' was specified more than once.")
        found[name] = value
    return found


def select_expand_failure(name: str, type_name: str) -> Exception:
    return bad_request(
        "Parsing OData Select and Expand failed: Could not find a property named "
        f"'{name}' on type '{type_name}'."
    )


# -- $select and $expand -------------------------------------------------------------------


def context(
    base: str,
    select: Iterable[str] = (),
    expand: Iterable[str] = (),
    nested: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """``base(a,b,nav())``, or ``base`` alone when nothing is selected or expanded, as Graph
    names a projection in ``@odata.context``; ``nested`` holds the properties selected inside
    an expanded navigation (``nav(x,y)``)."""
    inner = nested or {}
    parts = [*select, *(f"{name}({','.join(inner.get(name, ()))})" for name in expand)]
    return f"{base}({','.join(parts)})" if parts else base


def split_top_level(text: str) -> list[str]:
    """``a,b($x=c,d),e`` -> ``['a', 'b($x=c,d)', 'e']`` (commas inside parentheses kept)."""
    items: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise bad_request(f"Unbalanced parentheses in '{text}'.")
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    if depth != 0:
        raise bad_request(f"Unbalanced parentheses in '{text}'.")
    items.append(current.strip())
    if any(not item for item in items):
        raise bad_request(f"An empty item in '{text}'.")
    return items


def parse_select(text: str, properties: Iterable[str], type_name: str) -> list[str]:
    """Canonical property names in the order given; ``*`` selects every property."""
    by_lower = {name.lower(): name for name in properties}
    chosen: list[str] = []
    for item in split_top_level(text):
        if item == "*":
            return list(by_lower.values())
        name = by_lower.get(item.lower())
        if name is None:
            raise select_expand_failure(item, type_name)
        if name not in chosen:
            chosen.append(name)
    return chosen


@dataclass(frozen=True)
class Expansion:
    name: str  # canonical navigation property name
    options: dict[str, str] = field(default_factory=dict)  # nested options by bare name


_EXPAND_ITEM = re.compile(r"(?P<name>[^()]+?)\s*(?:\((?P<options>.*)\))?\Z", re.DOTALL)


def parse_expand(text: str, navigations: Iterable[str], type_name: str) -> list[Expansion]:
    by_lower = {name.lower(): name for name in navigations}
    found: list[Expansion] = []
    for item in split_top_level(text):
        match = _EXPAND_ITEM.match(item)
        if match is None:
            raise bad_request(f"Parsing OData Select and Expand failed: invalid item '{item}'.")
        raw_name = match.group("name").strip()
        name = by_lower.get(raw_name.lower())
        if name is None:
            raise select_expand_failure(raw_name, type_name)
        nested: dict[str, str] = {}
        for part in (match.group("options") or "").split(";"):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            if not sep:
                raise bad_request(f"Parsing OData Select and Expand failed: invalid '{part}'.")
            nested[key.strip().removeprefix("$")] = value.strip()
        if any(e.name == name for e in found):
            raise bad_request(f"Parsing OData Select and Expand failed: '{name}' twice.")
        found.append(Expansion(name, nested))
    return found


def too_deep() -> Exception:
    """ASP.NET OData's answer to a nested ``$expand`` (reported live as "MaxExpansionDepth=1")."""
    return bad_request(
        "The request includes a $expand path which is too deep. The maximum depth allowed is "
        "1. To increase the limit, set the 'MaxExpansionDepth' property on EnableQueryAttribute "
        "or ODataValidationSettings."
    )


def expansions(
    opts: Mapping[str, str],
    navigations: tuple[str, ...],
    served: Mapping[str, tuple[tuple[str, ...], str] | None],
    type_name: str,
) -> dict[str, list[str] | None]:
    """The expanded navigations of ``opts`` -> the properties selected inside each (None:
    all). ``navigations`` are the type's, ``served`` the ones an endpoint expands, each with
    what a nested ``$select`` may name and its type (None: no nested options); a nested
    ``$expand`` is too deep, another nested option or navigation a 400."""
    if "expand" not in opts:
        return {}
    found: dict[str, list[str] | None] = {}
    for item in parse_expand(opts["expand"], navigations, type_name):
        if "expand" in item.options:
            raise too_deep()
        if item.name not in served:
            raise bad_request(
                f"$expand={item.name} is not supported on {type_name} by the emulator (live "
                "behaviour unknown or unreliable); read the navigation on its own."
            )
        selected: list[str] | None = None
        for key, value in item.options.items():
            nested = served[item.name]
            if key != "select" or nested is None:
                raise bad_request(
                    f"The nested option '${key}' in $expand={item.name}(...) is not supported "
                    "by the emulator (live behaviour unknown)."
                )
            selected = parse_select(value, nested[0], nested[1])
        found[item.name] = selected
    return found


# -- $filter --------------------------------------------------------------------------------

Entity = Mapping[str, Any]


@dataclass(frozen=True)
class Field:
    """A property an entity set filters on: ``kind`` is ``string``, ``enum`` or ``flags``
    (an ``IsFlags`` enum serialised as comma-joined members); ``members`` for enums."""

    kind: str
    get: Callable[[Entity], Any]
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilterSpec:
    type_name: str
    fields: Mapping[
        str, Field
    ]  # by path as written in the docs, e.g. templateReference/templateFamily
    operators: frozenset[str]  # among eq ne has and or not
    functions: frozenset[str] = frozenset()  # among contains startswith endswith

    def field(self, path: str) -> Field:
        for name, found in self.fields.items():
            if name.lower() == path.lower():
                return found
        raise bad_request(
            f"Invalid filter clause: Could not find a property named '{path}' on type "
            f"'{self.type_name}' that the emulator can filter on."
        )


Predicate = Callable[[Entity], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+)(?![\w.])|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][\w.]*(?:/[A-Za-z_]\w*)*))"
)
_COMPARISONS = ("eq", "ne", "has")
_STRING_FUNCTIONS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda value, text: text.lower() in value.lower(),
    "startswith": lambda value, text: value.lower().startswith(text.lower()),
    "endswith": lambda value, text: value.lower().endswith(text.lower()),
}


@dataclass(frozen=True)
class _Token:
    kind: str  # string number punct word
    text: str


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise bad_request(
                f"Invalid filter clause: syntax error at position {position} in '{text}'."
            )
        kind = match.lastgroup
        assert kind is not None
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent: or > and > not > comparison/function/parentheses."""

    def __init__(self, text: str, spec: FilterSpec) -> None:
        self.text = text
        self.spec = spec
        self.tokens = _tokens(text)
        self.at = 0

    def fail(self, why: str) -> Exception:
        return bad_request(f"Invalid filter clause: {why} in '{self.text}'.")

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise self.fail("unexpected end")
        self.at += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise self.fail(f"expected '{text}', found '{token.text}'")

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text == word:
            self.allow(word)
            self.at += 1
            return True
        return False

    def allow(self, operator: str) -> None:
        if operator not in self.spec.operators:
            raise bad_request(
                f"Invalid filter clause: the operator '{operator}' is not supported on "
                f"{self.spec.type_name} by the emulator (its live behaviour is not known)."
            )

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.peek() is not None:
            raise self.fail(f"unexpected '{self.take().text}'")
        return predicate

    def disjunction(self) -> Predicate:
        terms = [self.conjunction()]
        while self.keyword("or"):
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda e: any(t(e) for t in terms))

    def conjunction(self) -> Predicate:
        terms = [self.negation()]
        while self.keyword("and"):
            terms.append(self.negation())
        return terms[0] if len(terms) == 1 else (lambda e: all(t(e) for t in terms))

    def negation(self) -> Predicate:
        if self.keyword("not"):
            inner = self.negation()
            return lambda e: not inner(e)
        return self.primary()

    def primary(self) -> Predicate:
        token = self.take()
        if token.text == "(":
            inner = self.disjunction()
            self.expect(")")
            return inner
        if token.kind != "word":
            raise self.fail(f"expected a property or function, found '{token.text}'")
        following = self.peek()
        if following is not None and following.text == "(":
            return self.function(token.text)
        return self.comparison(token.text)

    def literal(self) -> Any:
        token = self.take()
        if token.kind == "string":
            return token.text[1:-1].replace("''", "'")
        if token.kind == "number":
            return int(token.text)
        if token.kind == "word" and token.text in ("null", "true", "false"):
            return {"null": None, "true": True, "false": False}[token.text]
        raise self.fail(f"expected a literal, found '{token.text}'")

    def function(self, name: str) -> Predicate:
        if name not in _STRING_FUNCTIONS:
            raise self.fail(f"unknown function '{name}'")
        if name not in self.spec.functions:
            raise bad_request(
                f"Invalid filter clause: the function '{name}' is not supported on "
                f"{self.spec.type_name} by the emulator (its live behaviour is not known)."
            )
        self.expect("(")
        path = self.take()
        if path.kind != "word":
            raise self.fail(f"'{name}' takes a property first")
        found = self.spec.field(path.text)
        if found.kind != "string":
            raise self.fail(f"'{name}' takes a string property, not '{path.text}'")
        self.expect(",")
        text = self.literal()
        if not isinstance(text, str):
            raise self.fail(f"'{name}' takes a string literal")
        self.expect(")")
        test = _STRING_FUNCTIONS[name]
        return lambda e: isinstance(found.get(e), str) and test(found.get(e), text)

    def comparison(self, path: str) -> Predicate:
        found = self.spec.field(path)
        operator = self.take()
        if operator.kind != "word" or operator.text not in _COMPARISONS:
            raise self.fail(f"expected eq, ne or has after '{path}', found '{operator.text}'")
        self.allow(operator.text)
        value = self.literal()
        if operator.text == "has":
            if found.kind != "flags":
                raise self.fail(f"'has' needs a flags enum property; '{path}' is not one")
            wanted = _members(found, value, path)
            return lambda e: wanted <= _members(found, found.get(e), path)
        if found.kind == "string":
            if value is not None and not isinstance(value, str):
                raise self.fail(f"'{path}' is a string; compare it with a string literal")
            test: Predicate = lambda e: found.get(e) == value  # noqa: E731
        else:
            expected = _members(found, value, path)
            test = lambda e: _members(found, found.get(e), path) == expected  # noqa: E731
        if operator.text == "ne":
            return lambda e: not test(e)
        return test


def _members(found: Field, value: Any, path: str) -> frozenset[str]:
    """An enum value (or a flags combination ``'a,b'``) as a set of member names."""
    if not isinstance(value, str):
        raise bad_request(f"Invalid filter clause: '{path}' is an enum; compare it with a string.")
    names = frozenset(part.strip() for part in value.split(",") if part.strip())
    unknown = sorted(names - set(found.members))
    if unknown:
        raise bad_request(
            f"Invalid filter clause: '{unknown[0]}' is not a member of the enum of '{path}'."
        )
    if found.kind == "flags" and len(names) > 1:
        names = names - {"none"}
    return names


def parse_filter(text: str, spec: FilterSpec) -> Predicate:
    """A predicate over stored entities; a 400 for syntax or anything ``spec`` lacks."""
    if not text.strip():
        raise bad_request("Invalid filter clause: the $filter is empty.")
    return _Parser(text, spec).parse()
