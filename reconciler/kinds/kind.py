"""A Graph type as a frozen record built from a small, closed set of facets.

A kind's plain properties are PATCHed (or PUT with the whole entity). Anything else is a
facet, one per spec field, and each stage handles the facet types in one `match`:

- `Stream`: an Edm.Stream property, its bytes PUT to `{item}/{segment}`;
- `Children`: a nested collection keyed by a pointer inside each item, written by PUT of
  the whole entity (`ReplaceEntity`) or by one delta action (`DeltaAction`);
- `Assignments`: who the object applies to, read from `{item}/{list_segment}` and replaced
  whole by one `{item}/{action}` call.

`Ordering` is not a facet of one field but of the collection: values (priorities) unique
across the collection, set together in one call. Every facet also says how it is read, so
the tenant read and apply's re-reads use the same paths.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal, Protocol, get_args, get_origin

from pydantic import BaseModel

DEFAULT_IDENTITY = "displayName"  # the natural key of most Graph types
NO_FILTER_ID = "00000000-0000-0000-0000-000000000000"


# --- streams ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Stream:
    """An Edm.Stream property holding a JSON document; PUT as bytes, read inline or apart."""

    segment: str


# --- child collections --------------------------------------------------------------------


@dataclass(frozen=True)
class ReplaceEntity:
    """Children are written by PUT of the whole entity (and inline in the create)."""


@dataclass(frozen=True, kw_only=True)
class DeltaAction:
    """Children are written by one POST `{item}/{action}` naming what was added, updated and
    deleted (and, after a create, one such call adding them all)."""

    action: str
    added: str = "added"
    updated: str = "updated"
    deleted: str = "deletedIds"


ChildWrite = ReplaceEntity | DeltaAction


Path = tuple[str | int, ...]  # a key path inside a JSON document


@dataclass(frozen=True)
class Parsed:
    """Child items read from a manifest: the items in the form they are written to Graph;
    for each, where its comparable content starts in the document the manifest gave; and
    (where, why) for every problem found."""

    items: list[Any]
    origins: list[Path]
    problems: list[tuple[Path, str]]


@dataclass(frozen=True)
class ChildProblem:
    """A problem with one child item found after loading (against the tenant's catalog)."""

    index: int  # the item
    path: Path  # inside the item's comparable content (where its origin points)
    message: str


@dataclass(frozen=True)
class CatalogRead:
    """One GET of a tenant's catalog that a kind asks for: `url` relative to the Graph base
    URL (query included); `many`: a collection, read over all its pages into a list of
    items. The answer is the entity (or the list), or None when Graph says 404."""

    url: str
    many: bool = False


Found = Mapping[str, Any]  # catalog url -> what a CatalogRead of it answered


@dataclass(frozen=True)
class Resolution:
    """Child items as the manifest declared them, resolved against the tenant's catalog:
    the items in the form they are compared and written in; every problem found; and the
    keys of items reconciler compares but never writes, each with the reason (by the
    catalog: definitions of custom ADMX files)."""

    items: list[Any]
    problems: list[ChildProblem]
    unwritable: Mapping[str, str] = field(default_factory=dict)


SEARCH_LIMIT = 50  # catalog entries `catalog search` shows in full; the rest it counts


@dataclass(frozen=True)
class CatalogHit:
    """A catalog entry found by `catalog search`: what it is, and lines ready to paste
    into a manifest (YAML, with comments naming the allowed values)."""

    title: str
    lines: tuple[str, ...]


class Unwritable(Exception):  # noqa: N818 (a reason, raised to the planner, not an error of ours)
    """Why a change of one child item cannot be written, and what to do instead (the
    planner makes it a PlanError located at the item)."""

    def __init__(self, message: str, *, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class ChildShape(Protocol):
    """How one kind's child items are read from a manifest, resolved against and checked by
    the tenant's catalog, compared, written by a delta action and exported. Kind-specific
    knowledge lives in `kinds/`.

    The catalog is read in rounds: `lookups` names what it still needs given what was read
    so far (an empty list: done), then `resolve` turns the items into their written form."""

    def parse(self, document: Any, key: str) -> Parsed:
        """The items a manifest gives (a JSON document), or where and why they are wrong."""
        ...

    def view(self, items: list[Any], key: str) -> dict[str, Any]:
        """The items as a mapping from their key to what counts in a comparison."""
        ...

    def export(self, items: list[Any]) -> list[Any]:
        """Live items as a manifest writes them (no server ids or annotations)."""
        ...

    def lookups(self, items: list[Any], found: Found) -> list[CatalogRead]:
        """The catalog reads the items need, given what was read so far."""
        ...

    def resolve(self, items: list[Any], found: Found, root: str) -> Resolution:
        """The items against the catalog (`root`: the Graph base URL, for OData binds)."""
        ...

    def written(self, item: Any, live: Any | None) -> Any:
        """One item as a delta action sends it: new (`live` None), or replacing the live
        item `live` (whose server ids it carries). Raises Unwritable when it cannot be."""
        ...

    def removed(self, live: Any) -> Any:
        """What a delta action's deleted list names for a live item (its id)."""
        ...

    def secrets(self, items: list[Any]) -> list[str]:
        """The keys of items holding a secret value, which is never written back."""
        ...

    def search(self, text: str, found: Found) -> tuple[list[CatalogRead], list[CatalogHit]]:
        """`catalog search TEXT`: the reads still needed (first), else the entries found."""
        ...


def _without_ids_and_annotations(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_ids_and_annotations(v)
            for k, v in value.items()
            if k != "id" and "@" not in k
        }
    if isinstance(value, list):
        return [_without_ids_and_annotations(v) for v in value]
    return value


@dataclass(frozen=True)
class KeyedItems:
    """Plain JSON objects, each with a string at `key`, unique; compared by everything but
    server ids and OData annotations. No catalog, no secrets."""

    def parse(self, document: Any, key: str) -> Parsed:
        if not isinstance(document, list):
            return Parsed([], [], [((), "expected a list of objects")])
        problems: list[tuple[Path, str]] = []
        seen: set[str] = set()
        for index, item in enumerate(document):
            found = child_key(item, key)
            if not isinstance(item, dict) or not found:
                problems.append(((index,), f"expected an object with a string at '{key}'"))
            elif found in seen:
                problems.append(((index,), f"'{found}' is given more than once"))
            seen.add(found)
        return Parsed(list(document), [(i,) for i in range(len(document))], problems)

    def view(self, items: list[Any], key: str) -> dict[str, Any]:
        return {child_key(item, key): _without_ids_and_annotations(item) for item in items}

    def export(self, items: list[Any]) -> list[Any]:
        return [_without_ids_and_annotations(item) for item in items]

    def lookups(self, items: list[Any], found: Found) -> list[CatalogRead]:
        return []

    def resolve(self, items: list[Any], found: Found, root: str) -> Resolution:
        return Resolution(list(items), [])

    def written(self, item: Any, live: Any | None) -> Any:
        return replaced(item, live)

    def removed(self, live: Any) -> Any:
        return live.get("id") if isinstance(live, dict) else None

    def secrets(self, items: list[Any]) -> list[str]:
        return []

    def search(self, text: str, found: Found) -> tuple[list[CatalogRead], list[CatalogHit]]:
        return [], []


def yaml_quoted(text: str) -> str:
    """A YAML single-quoted scalar (what `catalog search` prints to paste)."""
    return "'" + text.replace("'", "''") + "'"


def replaced(item: Any, live: Any | None) -> Any:
    """An item sent whole: a copy, with the live item's id when it replaces one."""
    sent = copy.deepcopy(item)
    if live is not None and isinstance(sent, dict):
        sent["id"] = live.get("id") if isinstance(live, dict) else None
    return sent


def child_key(item: Any, key: str) -> str:
    """The key of a child item: the string at the `key` pointer ("a/b"), else ""."""
    node = item
    for token in key.split("/"):
        node = node.get(token) if isinstance(node, dict) else None
    return node if isinstance(node, str) else ""


@dataclass(frozen=True, kw_only=True)
class Nested:
    """A collection of each child item's own, read per child from
    `{item}/{children segment}/{child id}/{segment}` with `query` appended (paged, in
    `$batch`) into the child's `segment`: Graph's documented read where a nested `$expand`
    is not served (Administrative Templates' presentation values)."""

    segment: str
    query: str = ""


@dataclass(frozen=True, kw_only=True)
class Children:
    """A nested collection under `{item}/{segment}`, keyed by the `key` pointer ("a/b").

    Read with `query` appended, paged; or, with `expand`, inline in one GET of the item
    (`$expand=<segment>`), checked against the item's `count_field` when it has one (a
    short read falls back to the paged read, and is never taken to mean "removed"); with
    `nested`, each child's own collection is read after it. Export writes the items to a
    JSON file beside the manifest (`export_file`) or inline in it.
    """

    segment: str
    key: str
    write: ChildWrite
    query: str = ""
    expand: bool = False
    count_field: str | None = None
    nested: Nested | None = None
    shape: ChildShape = field(default_factory=KeyedItems)
    catalog: str | None = None  # the collection of definitions the items must be found in
    export_file: bool = True


# --- assignments ---------------------------------------------------------------------------


class Target(StrEnum):
    """Who an assignment reaches, as manifests write it."""

    GROUP = "group"
    EXCLUSION_GROUP = "exclusionGroup"
    ALL_DEVICES = "allDevices"
    ALL_LICENSED_USERS = "allLicensedUsers"


GROUP_TARGETS = frozenset({Target.GROUP, Target.EXCLUSION_GROUP})


@dataclass(frozen=True, kw_only=True)
class Assignments:
    """Assignments read from `{item}/{list_segment}` (or `$expand`) and replaced whole by
    POST `{item}/{action}` `{body_key: [{target: ...}, ...]}`.

    `targets` maps each target this kind accepts to its Graph `@odata.type`; `filters` says
    whether targets carry assignment filters. The comparable form of one assignment is
    `{"target": ..., "groupId"?: ..., "filter"?: {"id", "type"}}` (`assignment_view`).
    """

    list_segment: str
    action: str
    body_key: str
    targets: Mapping[Target, str]
    group_key: str = "groupId"
    filters: bool = False
    expand: bool = False

    def to_graph(self, assignment: Mapping[str, Any]) -> dict[str, Any]:
        """The Graph target object of one assignment in its comparable form."""
        target: dict[str, Any] = {"@odata.type": self.targets[Target(assignment["target"])]}
        if "groupId" in assignment:
            target[self.group_key] = assignment["groupId"]
        if self.filters:
            found = assignment.get("filter")
            target["deviceAndAppManagementAssignmentFilterId"] = found["id"] if found else None
            target["deviceAndAppManagementAssignmentFilterType"] = (
                found["type"] if found else "none"
            )
        return {"target": target}

    def from_graph(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """The comparable form of one assignment as Graph returns it. A target type this
        kind does not know is kept (by its type name), so a replace never drops it unseen."""
        target = item.get("target")
        target = target if isinstance(target, Mapping) else {}
        by_type = {odata.lstrip("#"): name for name, odata in self.targets.items()}
        odata_type = str(target.get("@odata.type") or "").lstrip("#")
        name = by_type.get(odata_type)
        view: dict[str, Any] = {"target": name.value if name else odata_type or "unknown"}
        group = target.get(self.group_key)
        if isinstance(group, str) and (name is None or name in GROUP_TARGETS):
            view["groupId"] = group.lower()
        found = _filter_of(target)
        if found is not None:
            view["filter"] = found
        return view


def _filter_of(target: Mapping[str, Any]) -> dict[str, str] | None:
    """The target's filter, with both live spellings of "no filter" (type `none`, the
    all-zero id) and a missing id read as None."""
    filter_id = target.get("deviceAndAppManagementAssignmentFilterId")
    filter_type = target.get("deviceAndAppManagementAssignmentFilterType")
    if not isinstance(filter_id, str) or filter_id in ("", NO_FILTER_ID):
        return None
    if filter_type not in ("include", "exclude"):
        return None
    return {"id": filter_id.lower(), "type": filter_type}


def assignment_view(assignment: Mapping[str, Any]) -> dict[str, Any]:
    """One assignment as written in a manifest (already validated), in comparable form."""
    view: dict[str, Any] = {"target": str(assignment.get("target") or Target.GROUP.value)}
    if assignment.get("groupId") is not None:
        view["groupId"] = str(assignment["groupId"]).lower()
    found = assignment.get("filter")
    if isinstance(found, Mapping) and found.get("id"):
        view["filter"] = {"id": str(found["id"]).lower(), "type": str(found.get("type"))}
    return view


def _assignment_order(view: Mapping[str, Any]) -> tuple[str, str, str, str]:
    found = view.get("filter") or {}
    return (view["target"], view.get("groupId", ""), found.get("id", ""), found.get("type", ""))


def sorted_assignments(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Assignments compare as a set: one order, duplicates once."""
    unique = {_assignment_order(v): v for v in views}
    return [unique[k] for k in sorted(unique)]


# --- the kind -------------------------------------------------------------------------------

Facet = Stream | Children | Assignments


@dataclass(frozen=True, kw_only=True)
class Ordering:
    """Values of `field` unique across the collection, set in one POST
    `{collection}/{action}` with parallel lists of ids and values."""

    field: str
    action: str
    ids_key: str
    values_key: str
    label: str  # how plans name the ordering: "priorities:<collection>"


@dataclass(frozen=True, kw_only=True)
class Discriminator:
    """Tells the kinds of a shared collection apart: the item's value at `pointer` ("a/b",
    read from the item as Graph returns it, annotations included)."""

    pointer: str
    value: str

    def matches(self, item: Mapping[str, Any]) -> bool:
        return child_key(item, self.pointer) == self.value


@dataclass(frozen=True, kw_only=True, eq=False)  # a kind is itself: compared and hashed by identity
class ResourceKind:
    kind: str  # the manifest `kind`
    collection: str  # collection path, or the entity path of a singleton
    spec_model: type[BaseModel]
    singleton: bool = False
    # Tells this kind's items apart in its collection; None: every item is this kind.
    discriminator: Discriminator | None = None
    # `@odata.type` sent on create and with a PATCH (Graph's samples do); None: none sent.
    create_type: str | None = None
    identity: str = DEFAULT_IDENTITY  # natural key when metadata.id is absent; the label
    # More properties that must equal for a live object to be adopted by identity (and
    # that make two manifests distinct): Settings Catalog adopts by name and platform.
    match_on: tuple[str, ...] = ()
    # Properties Graph (as far as is known) cannot change after create: a change is refused
    # at plan time, or planned as a replace when asked for (`plan --replace ADDRESS`).
    create_only: frozenset[str] = frozenset()
    # Values a create or a PUT sends when the manifest and the live object leave them
    # unset or null (Settings Catalog: an array of scope tags, a plain template reference).
    write_defaults: Mapping[str, Any] = field(default_factory=dict)
    update: Literal["patch", "put"] = "patch"  # "put": every update replaces the entity
    server_managed: frozenset[str] = frozenset()  # never sent, never compared
    reporting: frozenset[str] = frozenset()  # compared only when a manifest declares them
    facets: Mapping[str, Facet] = field(default_factory=dict)
    ordering: Ordering | None = None
    list_query: str = ""  # appended when listing the collection (a server-side scope)

    def item(self, object_id: str | None) -> str:
        """The path of one object (the singleton's own path)."""
        return self.collection if self.singleton else f"{self.collection}/{object_id}"

    def sub(self, object_id: str | None, segment: str) -> str:
        return f"{self.item(object_id)}/{segment}"

    def facet(self, name: str) -> Facet | None:
        return self.facets.get(name)

    @cached_property
    def list_fields(self) -> frozenset[str]:
        """Plain spec fields holding a list: for them, absent or null equals []."""
        return frozenset(
            info.alias or name
            for name, info in self.spec_model.model_fields.items()
            if _is_list(info.annotation) and (info.alias or name) not in self.facets
        )

    @cached_property
    def reads_per_object(self) -> int:
        """Requests to read one object by id with every facet, at most: the GET, one for
        the expanded facets, one per facet read on its own (a stream a server inlines
        costs nothing; counted anyway)."""
        expanded = any(
            isinstance(f, Children | Assignments) and f.expand for f in self.facets.values()
        )
        separate = sum(
            1
            for f in self.facets.values()
            if isinstance(f, Stream) or (isinstance(f, Children | Assignments) and not f.expand)
        )
        return 1 + int(expanded) + separate

    @cached_property
    def spec_order(self) -> tuple[str, ...]:
        """Every property a manifest may declare for this kind, in the model's order."""
        return tuple(info.alias or name for name, info in self.spec_model.model_fields.items())

    @cached_property
    def spec_fields(self) -> frozenset[str]:
        """Every property a manifest may declare for this kind."""
        return frozenset(self.spec_order)


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(_is_list(arg) for arg in get_args(annotation))
