"""One YAML manifest document to one `DesiredResource`, or the located issues why not.

Validation runs the envelope and the kind's spec model independently so that one run
reports problems in both. A document is turned into a resource only when it is clean:
then `spec` holds the declared Graph properties only (explicit null kept), and each facet
field the value it compares in: a stream's JSON payload as a `canonical.Payload`,
assignments in their sorted comparable form, a child collection as its list of items.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, assert_never

from pydantic import BaseModel, ValidationError

from reconciler.errors import ManifestIssue
from reconciler.files import FileProblem, RealPaths, read_json_text, resolve_inside
from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import (
    Assignments,
    Children,
    ResourceKind,
    Stream,
    assignment_view,
    sorted_assignments,
)
from reconciler.kinds.registry import Registry
from reconciler.load import json_positions
from reconciler.load.envelope import Envelope, Metadata
from reconciler.load.messages import (
    Loc,
    describe,
    dotted,
    field_issues,
    field_names,
    pointer,
    suggestion,
)
from reconciler.load.variables import Expansion
from reconciler.load.yaml_events import Pos, YamlDocument
from reconciler.values import pointers
from reconciler.values.canonical import Payload
from reconciler.values.desired import DesiredResource, SourceFile, SourcePosition

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Source:
    """Where a document came from: `file` as shown to users; payloads resolve from `base`."""

    file: str
    base: Path  # directory of the manifest file
    root: Path  # payload files must stay inside
    realpath: RealPaths = field(compare=False)  # shared by the whole load
    # One tenant's variables and groups (a fleet's), applied to the manifest and its files.
    expansion: Expansion | None = field(default=None, compare=False)


class _Locator:
    """Positions of one document, and issues located in it."""

    def __init__(self, doc: YamlDocument, file: str) -> None:
        self.doc = doc
        self.file = file

    def node(self, loc: Loc) -> Pos:
        """Where the node at `loc` (or its nearest ancestor) was written.

        A block collection is located at its key (`spec:`), not at its first entry.
        """
        while True:
            if loc in self.doc.block and loc in self.doc.keys:
                return self.doc.keys[loc]
            if loc in self.doc.values:
                return self.doc.values[loc]
            if not loc:
                return self.doc.start
            loc = loc[:-1]

    def issue(self, loc: Loc, path: Loc, message: str, *, at_key: bool = False) -> ManifestIssue:
        line, column = self.doc.keys[loc] if at_key and loc in self.doc.keys else self.node(loc)
        return ManifestIssue(self.file, line, column, dotted(path), message)

    def positions(self) -> Positions:
        return Positions(self)


class Positions(Mapping[str, SourcePosition]):
    """JSON pointer -> where its node was written, looked up on demand: a plan asks for a
    handful of a document's positions, and building them all (a pointer and a record per
    node) for every document was a tenth of the load."""

    def __init__(self, at: _Locator) -> None:
        self._at = at

    def _loc(self, pointer: str) -> Loc | None:
        """The key path of a pointer in this document (None: no node there). A token of
        digits is a list index where the node there is a list."""
        values = self._at.doc.values
        loc: Loc = ()
        for token in pointers.split(pointer) if pointer else ():
            if (*loc, token) in values:
                loc = (*loc, token)
            elif token.isascii() and token.isdigit() and (*loc, int(token)) in values:
                loc = (*loc, int(token))
            else:
                return None
        return loc if loc in values else None

    def __getitem__(self, pointer: str) -> SourcePosition:
        root = self._at.doc.root if pointer == "" else None
        if root is not None:  # the resource itself: known without reading every position
            return SourcePosition(file=self._at.file, line=root[0], column=root[1])
        loc = self._loc(pointer) if isinstance(pointer, str) else None
        if loc is None:
            raise KeyError(pointer)
        line, column = self._at.node(loc)
        return SourcePosition(file=self._at.file, line=line, column=column)

    def __contains__(self, pointer: object) -> bool:
        if pointer == "" and self._at.doc.root is not None:
            return True
        return isinstance(pointer, str) and self._loc(pointer) is not None

    def __iter__(self) -> Iterator[str]:
        return (pointer(loc) for loc in self._at.doc.values)

    def __len__(self) -> int:
        return len(self._at.doc.values)


def _validate(
    model: type[M], value: Any, prefix: Loc, at: _Locator, issues: list[ManifestIssue]
) -> M | None:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        for found in field_issues(error, model=model, prefix=prefix):
            issues.append(at.issue(found.loc, found.path, found.message, at_key=found.at_key))
        return None


def _kind(
    body: dict[str, Any], kinds: Registry, at: _Locator, issues: list[ManifestIssue]
) -> ResourceKind | None:
    kind = body.get("kind")
    if not isinstance(kind, str):
        return None  # missing or not a string: the envelope reports it
    found = kinds.get(kind)
    if found is None:
        names = kinds.names()
        hint = suggestion(kind, names) or f" (expected one of {', '.join(names)})"
        issues.append(at.issue(("kind",), ("kind",), f"unknown kind '{kind}'{hint}"))
    return found


def _name(meta: Metadata, rt: ResourceKind, at: _Locator, issues: list[ManifestIssue]) -> str:
    if rt.singleton:
        # There is only one; its address is fixed so plans read the same in every repo.
        fixed = rt.collection.rsplit("/", 1)[-1]
        if meta.name is not None and meta.name != fixed:
            issues.append(
                at.issue(
                    ("metadata", "name"),
                    ("metadata", "name"),
                    f"{rt.kind} is a singleton named '{fixed}'; leave metadata.name out",
                )
            )
        return fixed
    if meta.name is None:
        issues.append(at.issue(("metadata",), ("metadata",), "missing required field 'name'"))
        return ""
    return meta.name


def _ignore(
    meta: Metadata, rt: ResourceKind, at: _Locator, issues: list[ManifestIssue]
) -> tuple[str, ...]:
    """Ignore pointers relative to spec; '/spec/description' is accepted as '/description'."""
    fields = field_names(rt.spec_model)
    out: list[str] = []
    for index, written in enumerate(meta.ignore):
        relative = written[len("/spec") :] if written.startswith("/spec/") else written
        first = pointers.split(relative)[0]
        if first not in fields:
            loc = ("metadata", "ignore", index)
            message = (
                f"'{written}' points to no field of a {rt.kind} spec{suggestion(first, fields)}"
            )
            issues.append(at.issue(loc, loc, message))
        elif relative not in out:
            out.append(relative)
    return tuple(out)


@dataclass
class _Loaded:
    """A spec's declared values, each facet's in the form it compares in, and where the
    values that came from files were found."""

    spec: dict[str, Any] = field(default_factory=dict)
    payload_files: dict[str, str] = field(default_factory=dict)
    files: dict[str, SourceFile] = field(default_factory=dict)
    origins: dict[str, tuple[Loc, ...]] = field(default_factory=dict)


def _json_file(
    key: str,
    written: str,
    origin: Source,
    at: _Locator,
    loaded: _Loaded,
    issues: list[ManifestIssue],
) -> tuple[Any, str] | None:
    """The JSON document of a file a manifest names, and its text, or None (an issue says
    why). The file is remembered in `loaded` for locating problems in it later."""
    try:
        path = resolve_inside(written, base=origin.base, root=origin.root, realpath=origin.realpath)
        document, text = read_json_text(path)
    except FileProblem as problem:
        loc = ("spec", key, "file")
        issues.append(at.issue(loc, loc, f"payload file '{written}' {problem.message}"))
        return None
    shown = os.path.normpath(os.path.join(os.path.dirname(origin.file), written))
    if origin.expansion is not None:
        document, found = origin.expansion.json(document, text, shown)
        if found:
            issues.extend(found)
            return None
    loaded.files[key] = SourceFile(shown=shown, path=path)
    loaded.payload_files[key] = written
    return document, text


def _payload(
    key: str,
    source: dict[str, Any],
    origin: Source,
    at: _Locator,
    loaded: _Loaded,
    issues: list[ManifestIssue],
) -> Any:
    if "inline" in source:
        return Payload.of(source["inline"])
    found = _json_file(key, source["file"], origin, at, loaded, issues)
    return None if found is None else Payload.of(found[0])


def _assignments(
    key: str, value: list[dict[str, Any]], at: _Locator, issues: list[ManifestIssue]
) -> list[dict[str, Any]]:
    """Validated assignments in comparable form; a set, so one given twice is an issue."""
    views: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        view = assignment_view(item)
        if view in views:
            loc = ("spec", key, index)
            first = views.index(view)
            issues.append(at.issue(loc, loc, f"this assignment repeats assignments[{first}]"))
        views.append(view)
    return sorted_assignments(views)


def _children(
    key: str,
    facet: Children,
    value: Any,
    origin: Source,
    at: _Locator,
    loaded: _Loaded,
    issues: list[ManifestIssue],
) -> list[Any]:
    """The child items, given in the manifest itself or in the JSON file it names; a
    problem is located where it was written, in the file or in the manifest."""
    if isinstance(value, dict) and "file" in value:
        found = _json_file(key, value["file"], origin, at, loaded, issues)
        if found is None:
            return []
        document, text = found
        # A file whose only "@" are in "@odata.type" strings has no other annotation to
        # drop (an "@" written as the escape \u0040 could hide one: then it is cleaned).
        annotated = "\\u0040" in text or text.count("@") != text.count('"@odata.type"')
        parsed = facet.shape.parse(document, facet.key, annotated=annotated)
        shown = loaded.files[key].shown
        for where, message in parsed.problems:
            line, column = json_positions.position(text, where)
            issues.append(ManifestIssue(shown, line, column, dotted(where), message))
    else:
        parsed = facet.shape.parse(value, facet.key)
        for where, message in parsed.problems:
            loc = ("spec", key, *where)
            issues.append(at.issue(loc, loc, message))
    loaded.origins[key] = tuple(parsed.origins)
    return parsed.items


def _spec(
    raw: dict[str, Any], rt: ResourceKind, origin: Source, at: _Locator, issues: list[ManifestIssue]
) -> _Loaded:
    """Declared properties by Graph name, each facet's value in the form it compares in."""
    loaded = _Loaded()
    for key, value in raw.items():  # validated: every key is a field, in the order written
        facet = rt.facet(key)
        if value is None:
            loaded.spec[key] = None
            continue
        match facet:
            case None:
                loaded.spec[key] = value
            case Stream():
                loaded.spec[key] = _payload(key, value, origin, at, loaded, issues)
            case Assignments():
                loaded.spec[key] = _assignments(key, value, at, issues)
            case Children():
                loaded.spec[key] = _children(key, facet, value, origin, at, loaded, issues)
            case _:
                assert_never(facet)
    return loaded


def _valid_spec(
    body: dict[str, Any], rt: ResourceKind | None, at: _Locator, issues: list[ManifestIssue]
) -> dict[str, Any] | None:
    """The raw spec when the kind's model accepts it (a non-mapping: the envelope reports it)."""
    raw = body.get("spec")
    if rt is None or not isinstance(raw, dict):
        return None
    return raw if _validate(rt.spec_model, raw, ("spec",), at, issues) is not None else None


def to_resource(
    doc: YamlDocument, origin: Source, *, kinds: Registry = REGISTRY
) -> tuple[DesiredResource | None, list[ManifestIssue]]:
    """The resource a clean YAML document declares, or every issue found in it."""
    at = _Locator(doc, origin.file)
    body = doc.value
    if not isinstance(body, dict):
        message = f"expected a manifest (a mapping with apiVersion, kind, metadata and spec), got {describe(body)}"
        return None, [at.issue((), (), message)]
    issues: list[ManifestIssue] = []
    envelope = _validate(Envelope, body, (), at, issues)
    rt = _kind(body, kinds, at, issues)
    raw_spec = _valid_spec(body, rt, at, issues)
    if envelope is None or rt is None or raw_spec is None:
        return None, issues
    name = _name(envelope.metadata, rt, at, issues)
    ignore = _ignore(envelope.metadata, rt, at, issues)
    loaded = _spec(raw_spec, rt, origin, at, issues)
    if issues:
        return None, issues
    resource = DesiredResource(
        kind=rt.kind,
        name=name,
        id=envelope.metadata.id,
        spec=loaded.spec,
        ignore=ignore,
        file=origin.file,
        positions=at.positions(),
        payload_files=loaded.payload_files,
        files=loaded.files,
        origins=loaded.origins,
    )
    return resource, []
