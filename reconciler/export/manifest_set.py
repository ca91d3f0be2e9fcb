"""Live objects as a manifest set (YAML + pretty JSON payload files): export and backups.

Pure apart from `write_files`: `manifest_files` turns live objects into {relative path: text}
with stable key order, so a second export of the same tenant is byte-identical.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, assert_never

from ruamel.yaml import YAML

from reconciler.errors import FileWriteError
from reconciler.files import sync_directories, write_text_atomic
from reconciler.kinds import REGISTRY
from reconciler.kinds.fields import API_VERSION
from reconciler.kinds.kind import Assignments, Children, ResourceKind, Stream, Target
from reconciler.kinds.registry import Registry
from reconciler.values.canonical import plain
from reconciler.values.live import NON_JSON_KEY, LiveObject

PAYLOAD_DIR = "payloads"


def slug(text: str) -> str:
    """A file-name-safe name: "Ünïcode / Policy" -> "unicode-policy" (accents folded)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:60].strip("-")
    return cleaned or "policy"


def _kebab(name: str) -> str:
    """A camelCase Graph name as a file name: "officeConfiguration" -> "office-configuration"."""
    return slug(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name))


_emitters = threading.local()


def _yaml_text(document: dict[str, Any]) -> str:
    # One YAML instance per thread, reused: building one per manifest cost 60% of the dump
    # time (a 5,000-policy export spent most of a minute there). The output is the same.
    yaml: YAML | None = getattr(_emitters, "yaml", None)
    if yaml is None:
        yaml = _emitters.yaml = YAML()
        yaml.default_flow_style = False
        yaml.width = 4096
    stream = io.StringIO()
    try:
        yaml.dump(document, stream)
    except Exception:
        _emitters.yaml = None  # never reuse an emitter left mid-document
        raise
    return stream.getvalue()


def _payload_text(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _sort_key(obj: LiveObject) -> tuple[str, str, str]:
    return (obj.kind, obj.label.lower(), (obj.id or "").lower())


def manifest_files(
    objects: Iterable[LiveObject],
    *,
    singleton_fields: Sequence[str] = (),
    kinds: Registry = REGISTRY,
) -> dict[str, str]:
    """{relative path: file text}. A singleton is written only with `singleton_fields`."""
    files: dict[str, str] = {}
    used: set[str] = set()
    for obj in sorted(objects, key=_sort_key):
        rt = kinds.by_kind(obj.kind)
        if rt.singleton:
            if singleton_fields:
                spec = {f: obj.body.get(f) for f in singleton_fields}
                doc = {"apiVersion": API_VERSION, "kind": rt.kind, "spec": spec}
                files[f"{_kebab(rt.collection.rsplit('/', 1)[-1])}.yaml"] = _yaml_text(doc)
            continue
        name = _unique(slug(obj.label), (obj.id or "x")[:8].lower(), used)
        files.update(_object_files(rt, obj, name))
    return files


def _unique(name: str, suffix: str, used: set[str]) -> str:
    """Same displayName twice (or two kinds): disambiguate with the id, then a counter."""
    candidate, counter = name, 1
    if candidate in used:
        candidate = f"{name}-{suffix}"
    while candidate in used:
        counter += 1
        candidate = f"{name}-{suffix}-{counter}"
    used.add(candidate)
    return candidate


def _facet_value(
    rt: ResourceKind, field: str, obj: LiveObject, name: str, files: dict[str, str]
) -> Any:
    """How a manifest writes one facet's live value; payload-like values go to files."""
    facet = rt.facets[field]
    value = plain(obj.body.get(field))
    match facet:
        case Stream():
            if value is None or (isinstance(value, dict) and NON_JSON_KEY in value):
                return None if value is None else {"inline": value}
            path = f"{PAYLOAD_DIR}/{name}.{field}.json"
            files[path] = _payload_text(value)
            return {"file": path}
        case Assignments():
            # `target: group` is the default; leaving it out keeps exports short.
            return [
                {k: v for k, v in a.items() if (k, v) != ("target", Target.GROUP)}
                for a in value or []
            ]
        case Children():
            exported = facet.shape.export(list(value or []))
            if not facet.export_file:
                return exported
            path = f"{field}/{name}.json"
            files[path] = _payload_text(exported)
            return {"file": path}
        case _:
            assert_never(facet)


def _object_files(rt: ResourceKind, obj: LiveObject, name: str) -> dict[str, str]:
    files: dict[str, str] = {}
    # Only properties the kind's manifest model accepts, in the order it declares them
    # (identity first): a server that returns extra read-only properties (createdDateTime,
    # ...) must not yield a manifest that fails to load.
    wanted = (rt.identity, rt.ordering.field if rt.ordering else rt.identity)
    order = [rt.identity, *(f for f in rt.spec_order if f != rt.identity)]
    spec: dict[str, Any] = {
        k: obj.body.get(k)
        for k in order
        if (k in obj.body or k in wanted)
        and k not in rt.server_managed
        and k not in rt.reporting
        and k not in rt.facets
    }
    for field in rt.facets:
        if field in rt.spec_fields:
            spec[field] = _facet_value(rt, field, obj, name, files)
    document = {
        "apiVersion": API_VERSION,
        "kind": rt.kind,
        "metadata": {"name": name, "id": obj.id},
        "spec": spec,
    }
    files[f"{name}.yaml"] = _yaml_text(document)
    return files


def _current_text(path: Path) -> str | None:
    """The file's text; None when nothing is there; "" when something unreadable is."""
    if not os.path.lexists(path):
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def write_files(root: Path, files: Mapping[str, str], *, force: bool = False) -> list[str]:
    """Write the set under `root`; refuse to overwrite a different file unless `force`.

    Checks every file before writing any, leaves identical files untouched, and returns the
    relative paths it wrote (sorted).
    """
    current = {rel: _current_text(root / rel) for rel in files}
    conflicts = sorted(rel for rel, text in files.items() if current[rel] not in (None, text))
    if conflicts and not force:
        raise FileWriteError(
            f"{root / conflicts[0]} exists and differs ({len(conflicts)} file(s) would change)",
            hint="Use --force to overwrite, or export to an empty directory.",
        )
    written: list[str] = []
    touched: set[Path] = set()
    try:
        for rel, text in sorted(files.items()):
            if current[rel] == text:
                continue
            try:
                # Each file is fsynced; the directories once at the end, not once per file
                # (thousands of files share a few directories).
                write_text_atomic(root / rel, text, sync_directory=False)
            except FileWriteError as error:
                raise FileWriteError(
                    str(error),
                    hint=f"{len(written)} file(s) were written before this one; "
                    "fix it and run again.",
                ) from error
            written.append(rel)
            # The file's directory, and each one above it up to the root's parent, which
            # holds the entry of a directory this export may have created.
            touched.update((root / rel).parents[: len(Path(rel).parts) + 1])
    finally:
        sync_directories(sorted(touched, key=lambda p: len(p.parts), reverse=True))
    return written


SCHEMA_FILE = "reconciler.schema.json"
MODELINE = "# yaml-language-server: $schema={}\n"


def with_editor_schema(files: Mapping[str, str], schema: Mapping[str, Any]) -> dict[str, str]:
    """`files` as hand-written manifests are laid out for editors: the JSON Schema as
    `reconciler.schema.json` at the root of the set, and as the first line of every YAML
    manifest the yaml-language-server modeline pointing at it (relative to that file).

    `schema` is `reconciler.load.manifest_schema.json_schema()`, passed in by the caller
    (export sits beside load in the layers and may not import it). The text is what
    `reconciler schema` prints, so `reconciler schema > reconciler.schema.json` and an
    export agree byte for byte, and exporting again stays identical."""
    out: dict[str, str] = {}
    for rel, text in files.items():
        if rel.endswith((".yaml", ".yml")):
            depth = rel.count("/")
            text = MODELINE.format("../" * depth + SCHEMA_FILE) + text
        out[rel] = text
    out[SCHEMA_FILE] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out
