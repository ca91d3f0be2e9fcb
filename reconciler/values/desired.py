"""The validated desired state: what `manifests.load` returns and the planner consumes.

Values here are plain JSON-shaped data, already normalised by the loader:
- `spec` holds only the Graph properties the manifest declares (explicit null kept as None);
- each facet field holds its value in comparable form: a stream payload's JSON document
  (any JSON value) as a `canonical.Payload`; assignments as the sorted list of
  `{"target", "groupId"?, "filter"?}`; a child collection as its list of items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class SourcePosition:
    file: str
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True, kw_only=True)
class SourceFile:
    """A file a manifest names for a field's value (a payload, a list of settings)."""

    shown: str  # as users see it: relative to where the command ran, like `file`
    path: str  # where to read it again (its real path)


@dataclass(frozen=True, kw_only=True)
class DesiredResource:
    kind: str  # manifest kind, a name in the kinds registry
    name: str  # metadata.name; "officeConfiguration" for the singleton
    id: str | None  # metadata.id, pins a live object
    spec: Mapping[str, Any]
    ignore: tuple[str, ...] = ()  # JSON pointers relative to spec, e.g. "/description"
    file: str = ""  # manifest file the resource came from
    # JSON pointer within the document ("/spec/priority", "/metadata/name", "") -> where it is.
    positions: Mapping[str, SourcePosition] = field(default_factory=dict)
    # Stream field -> payload file path as written in the manifest (for export/backup round trips).
    payload_files: Mapping[str, str] = field(default_factory=dict)
    # Field -> the file its value came from, when the manifest names one.
    files: Mapping[str, SourceFile] = field(default_factory=dict)
    # Child-collection field -> where each item's comparable content starts in the document
    # that gave it (the file, or the field's value in the manifest), to locate a problem.
    origins: Mapping[str, tuple[tuple[str | int, ...], ...]] = field(default_factory=dict)
    # Child-collection field -> keys of child items that are compared but never written,
    # each with the reason (the tenant's catalog says so: custom ADMX); set when the
    # catalog resolves the set.
    unwritable: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def address(self) -> str:
        """Stable human address of the resource, like Terraform's `type.name`."""
        return f"{self.kind}/{self.name}"

    def located(self, pointer: str = "/metadata/name") -> str:
        """`file:line:col: ` of a pointer's value (by default the resource's name), the
        prefix of a plan-time error the manifest caused; "" when it has no position."""
        pos = self.position(pointer)
        return f"{pos.file}:{pos.line}:{pos.column}: " if pos is not None else ""

    def position(self, pointer: str) -> SourcePosition | None:
        """Best position for a pointer: itself, else its nearest ancestor."""
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


@dataclass(frozen=True, kw_only=True)
class Desired:
    resources: tuple[DesiredResource, ...]
    manifest_hash: str  # sha256 of the canonical JSON of all resources
    files: tuple[str, ...] = ()
    # Globs over `Kind/name`: unmanaged live objects count (and may be pruned) only inside.
    scope: tuple[str, ...] = ()

    def kinds(self) -> set[str]:
        """The kinds the manifests use: what a read of the tenant must cover."""
        return {r.kind for r in self.resources}

    def pinned(self) -> dict[str, list[str]]:
        """Kind -> the ids its manifests pin with metadata.id."""
        found: dict[str, list[str]] = {}
        for resource in self.resources:
            if resource.id:
                found.setdefault(resource.kind, []).append(resource.id)
        return found
