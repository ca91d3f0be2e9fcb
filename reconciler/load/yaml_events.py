"""YAML text to JSON-shaped documents that remember where every value was written.

We build values from ruamel.yaml's *event* stream instead of its constructor so that one
pass can keep a position for every node, reject duplicate keys, cap nesting depth and
alias expansion (YAML bombs), and resolve scalars by the YAML 1.2 core schema without any
custom tags: plain `yes` stays a string, timestamps stay strings, `.inf` is refused.
Every problem is returned, located, rather than raised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from ruamel.yaml.reader import ReaderError

from reconciler.values.pointers import Loc

try:
    from ruamel.yaml.cyaml import CParser  # the libyaml binding

    _HAVE_CLIB = True
except ImportError:  # pragma: no cover - depends on the platform's wheels
    _HAVE_CLIB = False

MAX_DEPTH = 64
MAX_VALUES = 100_000  # per document, counting every alias expansion

Pos = tuple[int, int]  # 1-based line, column

_CORE = "tag:yaml.org,2002:"
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NOT_JSON_NUMBER = re.compile(r"[-+]?\.(inf|Inf|INF)\Z|\.(nan|NaN|NAN)\Z")


@dataclass(frozen=True)
class YamlProblem:
    line: int
    column: int
    loc: Loc
    message: str


@dataclass
class Where:
    """Where each node and mapping key of a document was written."""

    values: dict[Loc, Pos] = field(default_factory=dict)
    keys: dict[Loc, Pos] = field(default_factory=dict)
    block: set[Loc] = field(default_factory=set)  # block-style collections


@dataclass
class YamlDocument:
    """One document: its value, and where each node and mapping key was written.

    `values[loc]` is where the node at `loc` starts; `keys[loc]` is where the mapping key
    naming it starts. `clean` is False when a problem was found inside this document.
    A document read by the fast path (`source` set) finds its positions on first use, by
    reading its text again with the full builder: most documents never need one.
    """

    value: Any
    start: Pos
    clean: bool = True
    where: Where | None = field(default=None, repr=False)
    source: tuple[str, int] | None = field(default=None, repr=False)  # text, document index
    root_at: Pos | None = None  # the fast path's one position: where the root node starts

    @property
    def root(self) -> Pos | None:
        """Where the root node starts, without reading every position (a drift report
        locates each resource at its root)."""
        return self.where.values.get(()) if self.where is not None else self.root_at

    def _where(self) -> Where:
        if self.where is None:
            assert self.source is not None
            text, index = self.source
            self.where = _parse_full(text)[0][index].where
            assert self.where is not None
        return self.where

    @property
    def values(self) -> dict[Loc, Pos]:
        return self._where().values

    @property
    def keys(self) -> dict[Loc, Pos]:
        return self._where().keys

    @property
    def block(self) -> set[Loc]:
        return self._where().block


def _pos(event: Event) -> Pos:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def resolve_plain(text: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema; raises ValueError for non-JSON numbers."""
    if text in _NULL:
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        number = float(text)
        if number in (float("inf"), float("-inf")):  # 1e400 overflows; JSON has no infinity
            raise ValueError(
                f"'{text}' is too large for a JSON number; quote it to keep it as text"
            )
        return number
    if _NOT_JSON_NUMBER.match(text):
        raise ValueError(f"'{text}' is not a number JSON can hold; quote it to keep it as text")
    return text


class _Abort(Exception):
    """The rest of the document cannot be read sensibly (bomb, nesting)."""


class _TooDeep(_Abort):
    """Nesting past MAX_DEPTH: the rest of the file is not read at all, because the parser
    slows down quadratically with flow depth (100,000 '[' took half a minute)."""


@dataclass
class _Frame:
    loc: Loc | None  # None: a collection written as a mapping key (already reported)
    container: dict[str, Any] | list[Any]
    anchor: str | None
    pos: Pos
    size: int = 1
    key: str | None = None  # mapping: the key waiting for its value
    has_key: bool = False
    skip_value: bool = False  # mapping: drop the next value (its key was bad)


class _Builder:
    """Turns the events of one document into a YamlDocument."""

    def __init__(self, start: Pos) -> None:
        self.doc = YamlDocument(value=None, start=start, where=Where())
        self.problems: list[YamlProblem] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total = 0

    def problem(self, pos: Pos, loc: Loc | None, message: str) -> None:
        self.doc.clean = False
        self.problems.append(YamlProblem(pos[0], pos[1], loc or (), message))

    def _expecting_key(self) -> bool:
        top = self.stack[-1] if self.stack else None
        return top is not None and isinstance(top.container, dict) and not top.has_key

    def _child_loc(self) -> Loc | None:
        """Where the next node goes; None when it is a mapping key or is being dropped."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.loc is None:
            return None
        if isinstance(top.container, list):
            return (*top.loc, len(top.container))
        if not top.has_key or top.skip_value:
            return None
        return (*top.loc, top.key or "")

    def _count(self, pos: Pos, size: int) -> None:
        self.total += size
        if self.total > MAX_VALUES:
            self.problem(
                pos,
                None,
                f"document expands to more than {MAX_VALUES} values "
                "(aliases repeated too often: a YAML bomb?)",
            )
            raise _Abort

    def _attach(
        self, value: Any, pos: Pos, size: int, *, key_text: str | None, merge: bool = False
    ) -> None:
        """Put a finished node into its parent; `key_text` is its text if it can be a key,
        `merge` tells a plain `<<` (YAML's merge key) from a quoted one (an ordinary key)."""
        if not self.stack:
            self.doc.value = value
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.container, list):
            top.container.append(value)
            return
        if not top.has_key:
            self._take_key(top, pos, key_text, merge)
            return
        if not top.skip_value and top.key is not None:
            top.container[top.key] = value
        top.has_key, top.skip_value, top.key = False, False, None

    def _take_key(self, top: _Frame, pos: Pos, text: str | None, merge: bool) -> None:
        top.has_key, top.key, top.skip_value = True, None, True
        if text is None:
            self.problem(pos, top.loc, "mapping keys must be plain text, not lists or mappings")
            return
        if merge:
            self.problem(pos, top.loc, "merge keys ('<<') are not supported; repeat the fields")
            return
        assert isinstance(top.container, dict)
        if text in top.container:
            first = self.doc.keys.get((*top.loc, text)) if top.loc is not None else None
            where = f" (first written on line {first[0]})" if first else ""
            self.problem(pos, top.loc, f"duplicate key '{text}'{where}")
            return
        top.key, top.skip_value = text, False
        if top.loc is not None:
            self.doc.keys[(*top.loc, text)] = pos

    def _remember(self, loc: Loc | None, pos: Pos) -> None:
        if loc is not None:
            self.doc.values[loc] = pos

    def scalar(self, event: ScalarEvent) -> None:
        pos, loc = _pos(event), self._child_loc()
        self._count(pos, 1)
        value: Any = event.value
        tag = event.tag
        text_tag = tag in (None, _CORE + "str", "!")
        if not text_tag:
            self.problem(pos, loc, f"YAML tag '{_show_tag(tag or '')}' is not supported")
        elif tag is None and not event.style and not self._expecting_key():
            # Keys stay text: JSON keys are strings, and `1:` surely means "1".
            try:
                value = resolve_plain(event.value)
            except ValueError as error:
                self.problem(pos, loc, str(error))
        key_text = event.value if text_tag else None
        merge = event.value == "<<" and tag is None and not event.style
        self._remember(loc, pos)
        self._attach(value, pos, 1, key_text=key_text, merge=merge)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)

    def alias(self, event: AliasEvent) -> None:
        pos, loc = _pos(event), self._child_loc()
        if event.anchor not in self.anchors:
            self.problem(
                pos, loc, f"alias '*{event.anchor}' has no anchor '&{event.anchor}' before it"
            )
            self._attach(None, pos, 1, key_text=None)
            return
        value, size = self.anchors[event.anchor]
        self._count(pos, size)
        self._remember(loc, pos)
        # Shared, not copied: values are never mutated and the budget bounds their size.
        self._attach(value, pos, size, key_text=value if isinstance(value, str) else None)

    def start(self, event: CollectionStartEvent) -> None:
        pos, loc = _pos(event), self._child_loc()
        self._count(pos, 1)
        mapping = isinstance(event, MappingStartEvent)
        expected = _CORE + ("map" if mapping else "seq")
        if event.tag is not None and event.tag not in (expected, "!"):
            self.problem(pos, loc, f"YAML tag '{_show_tag(event.tag)}' is not supported")
        if len(self.stack) >= MAX_DEPTH:
            self.problem(pos, None, f"nested more than {MAX_DEPTH} levels deep")
            raise _TooDeep
        if loc is not None:
            self._remember(loc, pos)
            if not event.flow_style:
                self.doc.block.add(loc)
        container: dict[str, Any] | list[Any] = {} if mapping else []
        self.stack.append(_Frame(loc=loc, container=container, anchor=event.anchor, pos=pos))

    def end(self) -> None:
        frame = self.stack.pop()
        self._attach(frame.container, frame.pos, frame.size, key_text=None)
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.container, frame.size)


def _line_column(text: str, index: int) -> Pos:
    line_start = text.rfind("\n", 0, index) + 1
    return (text.count("\n", 0, index) + 1, index - line_start + 1)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column : column + 1] if line < len(lines) else ""


def _syntax_problem(error: YAMLError, text: str) -> YamlProblem:
    """A parser error as one located line (the C and pure-Python parsers word them apart)."""
    if isinstance(error, ReaderError):
        line, column = _line_column(text, error.position)
        code = (
            error.character
            if isinstance(error.character, int)
            else ord(str(error.character)[:1] or " ")
        )
        return YamlProblem(
            line, column, (), f"control character U+{code:04X} is not allowed in YAML"
        )
    if not isinstance(error, MarkedYAMLError) or error.problem_mark is None:
        return YamlProblem(1, 1, (), "invalid YAML: " + " ".join(str(error).split()))
    mark = error.problem_mark
    problem = error.problem or "syntax error"
    if _char_at(text, mark.line, mark.column) == "\t":
        message = "tab character found; YAML must be indented with spaces"
    elif problem.startswith("mapping values are not allowed"):
        message = "invalid YAML: unexpected ':'; check the indentation, or quote a value that contains ': '"
    else:
        message = f"invalid YAML: {problem}"
        if error.context and error.context_mark is not None:
            context = error.context.removeprefix("while ")
            message += (
                f" ({context} that starts at line {error.context_mark.line + 1},"
                f" column {error.context_mark.column + 1})"
            )
    return YamlProblem(mark.line + 1, mark.column + 1, (), message)


def _events(text: str) -> Iterator[Event]:
    # libyaml (ruamel.yaml.clib) when installed: several times faster. Both parsers are
    # state machines, so deep input cannot exhaust the Python stack. libyaml is driven
    # directly: YAML.parse built a loader for every file and kept a record of each one.
    if _HAVE_CLIB:
        parser = CParser(StringIO(text))
        get = parser.get_event  # None after the stream's end: one call an event, not two
        try:
            event = get()
            while event is not None:
                yield event
                event = get()
        finally:
            parser.dispose()
    else:
        yield from YAML(typ="safe", pure=True).parse(StringIO(text))


def parse(text: str) -> tuple[list[YamlDocument], list[YamlProblem]]:
    """Every document of a YAML stream, and every problem found.

    Documents read before a syntax error are kept; the one it interrupts is dropped.
    Nesting past MAX_DEPTH ends the reading the same way (see _TooDeep).

    The fast path reads the common stream (no tags, anchors, aliases or merge keys, no
    duplicate key, no scalar the core schema refuses) without recording any position;
    anything else, and every problem, is left to the full builder, which reads the text
    again from the start.
    """
    fast = _parse_fast(text)
    if fast is not None:
        return fast, []
    return _parse_full(text)


class _Bail(Exception):
    """The fast path met something only the full builder handles."""


def _parse_fast(text: str) -> list[YamlDocument] | None:
    documents: list[YamlDocument] = []
    no_key = _NO_KEY
    try:
        start: Pos = (1, 1)
        root: Pos | None = None
        value: Any = None
        stack: list[Any] = []  # the open containers
        pending: list[Any] = []  # per open container: a mapping's key awaiting its value
        total = 0
        events: Iterator[Any] = _events(text)  # compared by exact type below, for speed
        for event in events:
            kind = type(event)
            if kind is ScalarEvent:
                if event.anchor or event.tag is not None:
                    raise _Bail
                total += 1
                if stack:
                    top = stack[-1]
                    if type(top) is dict and pending[-1] is no_key:
                        key = event.value
                        if key in top or (key == "<<" and not event.style):
                            raise _Bail
                        pending[-1] = key
                        continue
                else:
                    root = _pos(event)
                found = event.value if event.style else resolve_plain(event.value)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor or event.tag is not None or len(stack) >= MAX_DEPTH:
                    raise _Bail
                if stack and type(stack[-1]) is dict and pending[-1] is no_key:
                    raise _Bail  # a collection as a mapping key
                total += 1
                if not stack:
                    root = _pos(event)
                stack.append({} if kind is MappingStartEvent else [])
                pending.append(no_key)
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                found = stack.pop()
                pending.pop()
            elif kind is DocumentStartEvent:
                start, value, stack, pending, total, root = _pos(event), None, [], [], 0, None
                continue
            elif kind is DocumentEndEvent:
                document = YamlDocument(
                    value=value, start=start, source=(text, len(documents)), root_at=root
                )
                documents.append(document)
                continue
            elif kind is StreamStartEvent or kind is StreamEndEvent:
                continue
            else:  # an alias, or an event of a type this path does not know
                raise _Bail
            if total > MAX_VALUES:
                raise _Bail
            if not stack:
                value = found
            elif type(stack[-1]) is list:
                stack[-1].append(found)
            else:
                stack[-1][pending[-1]] = found
                pending[-1] = no_key
    except (_Bail, ValueError, YAMLError, RecursionError, MemoryError):
        return None
    return documents


_NO_KEY = object()


def _parse_full(text: str) -> tuple[list[YamlDocument], list[YamlProblem]]:
    documents: list[YamlDocument] = []
    problems: list[YamlProblem] = []
    builder: _Builder | None = None
    skipping = False
    try:
        for event in _events(text):
            if isinstance(event, DocumentStartEvent):
                builder, skipping = _Builder(_pos(event)), False
            elif isinstance(event, DocumentEndEvent) and builder is not None:
                problems.extend(builder.problems)
                documents.append(builder.doc)
                builder = None
            elif builder is None or skipping:
                continue
            else:
                try:
                    _feed(builder, event)
                except _TooDeep:
                    builder.doc.clean = False
                    break
                except _Abort:
                    builder.doc.clean, skipping = False, True
    except YAMLError as error:
        problems.append(_syntax_problem(error, text))
    except (RecursionError, MemoryError):  # defensive: the parser itself gave up
        problems.append(YamlProblem(1, 1, (), "the YAML is too complex to read"))
    if builder is not None:  # interrupted by a syntax error: report what it found, drop it
        problems.extend(builder.problems)
    return documents, problems


def _feed(builder: _Builder, event: Event) -> None:
    if isinstance(event, ScalarEvent):
        builder.scalar(event)
    elif isinstance(event, AliasEvent):
        builder.alias(event)
    elif isinstance(event, MappingStartEvent | SequenceStartEvent):
        builder.start(event)
    elif builder.stack:  # a MappingEnd/SequenceEnd
        builder.end()
