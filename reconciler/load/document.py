"""One YAML manifest document to one `DesiredResource`, or the located issues why not.

Validation runs the envelope and the kind's spec model independently so that one run
reports problems in both. A document is turned into a resource only when it is clean:
then `spec` holds the declared Graph properties only (explicit null kept), and each facet
field the value it compares in: a stream's JSON payload as a `canonical.Payload`,
assignments in their sorted comparable form, a child collection as its list of items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, assert_never

from pydantic import BaseModel, ValidationError

from reconciler.errors import ManifestIssue
from reconciler.files import FileProblem, RealPaths, read_json, resolve_inside
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
from reconciler.load.yaml_events import Pos, YamlDocument
from reconciler.values import pointers
from reconciler.values.canonical import Payload
from reconciler.values.desired import DesiredResource, SourcePosition

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Source:
    """Where a document came from: `file` as shown to users; payloads resolve from `base`."""

    file: str
    base: Path  # directory of the manifest file
    root: Path  # payload files must stay inside
    realpath: RealPaths = field(compare=False)  # shared by the whole load


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

    def positions(self) -> dict[str, SourcePosition]:
        return {
            pointer(loc): SourcePosition(file=self.file, line=line, column=column)
            for loc in self.doc.values
            for line, column in [self.node(loc)]
        }


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


def _json_file(
    field: str, written: str, origin: Source, at: _Locator, issues: list[ManifestIssue]
) -> Any:
    """The JSON document of a file a manifest names, or None (an issue says why)."""
    try:
        path = resolve_inside(written, base=origin.base, root=origin.root, realpath=origin.realpath)
        return read_json(path)
    except FileProblem as problem:
        loc = ("spec", field, "file")
        issues.append(at.issue(loc, loc, f"payload file '{written}' {problem.message}"))
        return None


def _payload(
    field: str, source: dict[str, Any], origin: Source, at: _Locator, issues: list[ManifestIssue]
) -> Any:
    if "inline" in source:
        return Payload.of(source["inline"])
    document = _json_file(field, source["file"], origin, at, issues)
    return None if document is None else Payload.of(document)


def _assignments(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validated assignments in comparable form (a set: one given twice counts once)."""
    return sorted_assignments([assignment_view(item) for item in value])


def _children(
    field: str,
    facet: Children,
    value: Any,
    origin: Source,
    at: _Locator,
    issues: list[ManifestIssue],
) -> list[Any]:
    """The child items, given in the manifest itself or in the JSON file it names."""
    if isinstance(value, dict) and "file" in value:
        document = _json_file(field, value["file"], origin, at, issues)
        if document is None:
            return []
        items, problems = facet.shape.parse(document, facet.key)
        loc: Loc = ("spec", field, "file")
        for where, message in problems:
            inside = pointers.join(where) or "the document"
            issues.append(at.issue(loc, loc, f"file '{value['file']}' at {inside}: {message}"))
        return items
    items, problems = facet.shape.parse(value, facet.key)
    for where, message in problems:
        loc = ("spec", field, *where)
        issues.append(at.issue(loc, loc, message))
    return items


def _spec(
    raw: dict[str, Any], rt: ResourceKind, origin: Source, at: _Locator, issues: list[ManifestIssue]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Declared properties by Graph name, each facet's value in the form it compares in."""
    spec: dict[str, Any] = {}
    payload_files: dict[str, str] = {}
    for key, value in raw.items():  # validated: every key is a field, in the order written
        facet = rt.facet(key)
        if value is None:
            spec[key] = None
            continue
        match facet:
            case None:
                spec[key] = value
            case Stream():
                spec[key] = _payload(key, value, origin, at, issues)
                if "file" in value:
                    payload_files[key] = value["file"]
            case Assignments():
                spec[key] = _assignments(value)
            case Children():
                spec[key] = _children(key, facet, value, origin, at, issues)
                if isinstance(value, dict) and "file" in value:
                    payload_files[key] = value["file"]
            case _:
                assert_never(facet)
    return spec, payload_files


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
    spec, payload_files = _spec(raw_spec, rt, origin, at, issues)
    if issues:
        return None, issues
    resource = DesiredResource(
        kind=rt.kind,
        name=name,
        id=envelope.metadata.id,
        spec=spec,
        ignore=ignore,
        file=origin.file,
        positions=at.positions(),
        payload_files=payload_files,
    )
    return resource, []
