"""A fleet run on disk: one folder per run (or per shard), an index, one file per tenant.

    DIR/fleet-plan.json            the plan index: each tenant's name, tenant id, ring,
                                   Graph URL, status, plan file and its checksum, summary
    DIR/tenants/NAME.plan.json     each tenant's saved plan (`reconciler.planfile`)
    DIR/fleet-apply.json           `fleet apply`'s outcome per tenant, rewritten as each
                                   finishes; a tenant recorded as done for the same plan
                                   checksum is not applied again
    DIR/fleet-drift.json           the drift index: each tenant's status and counts
    DIR/tenants/NAME.drift.json    each tenant's drift report (`engine.drift.drift_json`)

Tenant results go to disk as each tenant finishes, so memory holds one tenant's state per
worker, not the fleet's. `merge` joins the folders of the shards of one run (the same
fleet file, the same shard count) into one.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler import __version__
from reconciler.errors import ConfigError, PlanFileError
from reconciler.files import write_text_atomic

FORMAT_VERSION = 1
PLAN_INDEX = "fleet-plan.json"
APPLY_RECORD = "fleet-apply.json"
DRIFT_INDEX = "fleet-drift.json"
TENANTS = "tenants"
PLAN_KIND, DRIFT_KIND, APPLY_KIND = "fleet-plan", "fleet-drift", "fleet-apply"
DONE = frozenset({"applied", "no-changes"})


def plan_path(name: str) -> str:
    return f"{TENANTS}/{name}.plan.json"


def drift_path(name: str) -> str:
    return f"{TENANTS}/{name}.drift.json"


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: Path, document: Any) -> None:
    write_text_atomic(path, dumps(document))


def read(path: Path, kind: str) -> dict[str, Any]:
    """A fleet document of `kind`; PlanFileError when it is missing, damaged or another."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanFileError(
            f"{path}: no such file", hint="Give the folder `reconciler fleet plan --out` wrote."
        ) from None
    except (OSError, ValueError) as error:
        raise PlanFileError(f"{path}: not a {kind} index ({error})") from None
    if not isinstance(document, dict) or document.get("kind") != kind:
        raise PlanFileError(f"{path}: not a {kind} index")
    if document.get("format_version") != FORMAT_VERSION:
        raise PlanFileError(
            f"{path}: {kind} format version {document.get('format_version')!r} is not supported",
            hint="Run the fleet command again with this version of reconciler.",
        )
    problem = _shape_problem(document, kind)
    if problem:
        raise PlanFileError(
            f"{path}: a damaged {kind} index: {problem}",
            hint="Run the fleet command again; an index is written by reconciler, not by hand.",
        )
    return document


_INDEX_FIELDS = ("fleet", "fleet_digest", "created_at", "graph_url")
_TENANT_FIELDS = {"name": str, "tenant_id": str, "status": str, "position": int}


def _shape_problem(document: Mapping[str, Any], kind: str) -> str | None:
    """What a plan or drift index lacks that the commands read, or None."""
    if kind == APPLY_KIND:
        tenants = document.get("tenants", {})
        return None if isinstance(tenants, dict) else "'tenants' is not a mapping"
    for field in _INDEX_FIELDS:
        if not isinstance(document.get(field), str):
            return f"'{field}' is missing or not a string"
    tenants = document.get("tenants")
    if not isinstance(tenants, list):
        return "'tenants' is missing or not a list"
    for number, tenant in enumerate(tenants):
        if not isinstance(tenant, dict):
            return f"tenants[{number}] is not an object"
        for field, expected in _TENANT_FIELDS.items():
            if not isinstance(tenant.get(field), expected) or isinstance(tenant.get(field), bool):
                return f"tenants[{number}].{field} is missing or not a {expected.__name__}"
    if not isinstance(document.get("summary"), dict):
        return "'summary' is missing or not an object"
    return None


def header(
    kind: str,
    *,
    fleet: str,
    fleet_file: str,
    digest: str,
    at: str,
    graph_url: str,
    shard: Mapping[str, int] | None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "fleet": fleet,
        "fleet_file": fleet_file,
        "fleet_digest": digest,
        "created_at": at,
        "graph_url": graph_url,
        "shard": dict(shard) if shard else None,
    }


def plan_summary(tenants: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts = {"tenants": len(tenants), "changes": 0, "no_changes": 0, "failed": 0}
    totals = {"create": 0, "update": 0, "delete": 0}
    for tenant in tenants:
        counts[str(tenant["status"]).replace("-", "_")] += 1
        for action in totals:
            totals[action] += int((tenant.get("summary") or {}).get(action, 0))
    return {**counts, **totals}


DRIFT_COUNTS = ("drifted_resources", "drifted_fields", "missing", "unmanaged")


def drift_summary(tenants: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts = {"tenants": len(tenants), "clean": 0, "drift": 0, "failed": 0}
    totals = dict.fromkeys(DRIFT_COUNTS, 0)
    for tenant in tenants:
        counts[str(tenant["status"])] += 1
        for name in totals:
            totals[name] += int((tenant.get("summary") or {}).get(name, 0))
    return {**counts, **totals}


def ordered(tenants: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Tenants in fleet-file order."""
    return sorted((dict(t) for t in tenants), key=lambda t: (t["position"], t["name"]))


class ApplyRecord:
    """`fleet-apply.json`, rewritten whole (atomically) each time a tenant finishes."""

    def __init__(self, folder: Path, index: Mapping[str, Any]) -> None:
        self.path = folder / APPLY_RECORD
        self._lock = threading.Lock()
        self.document: dict[str, Any] = {
            "kind": APPLY_KIND,
            "format_version": FORMAT_VERSION,
            "tool_version": __version__,
            "fleet": index["fleet"],
            "fleet_digest": index["fleet_digest"],
            "tenants": {},
        }
        if self.path.exists():
            found = read(self.path, APPLY_KIND)
            if found.get("fleet_digest") == index["fleet_digest"]:
                self.document["tenants"] = dict(found.get("tenants") or {})

    def done(self, name: str, checksum: str) -> dict[str, Any] | None:
        """The record of a tenant already applied with this plan, if any."""
        found = self.document["tenants"].get(name)
        if found and found.get("status") in DONE and found.get("plan_checksum") == checksum:
            return dict(found)
        return None

    def record(self, name: str, outcome: Mapping[str, Any]) -> None:
        with self._lock:
            self.document["tenants"][name] = dict(outcome)
            write(self.path, self.document)


@dataclass(frozen=True)
class Merged:
    kind: str
    document: dict[str, Any]
    missing_shards: tuple[int, ...]


def _index_of(folder: Path) -> tuple[str, dict[str, Any]] | None:
    """The folder's index, or None when it has none (a shard killed before it finished)."""
    for name, kind in ((PLAN_INDEX, PLAN_KIND), (DRIFT_INDEX, DRIFT_KIND)):
        if (folder / name).exists():
            return kind, read(folder / name, kind)
    return None


def merge(folders: Sequence[Path], out: Path) -> Merged:
    """Join the outputs of shards into `out`: the index and every tenant's file. The shards
    must be of one fleet file and one kind; a tenant must not appear twice. Shards of a
    `--shard K/N` run that are not among `folders`, or whose folder holds no index (the
    shard died before it finished), are named in `missing_shards`."""
    inputs = {folder.resolve() for folder in folders}
    if out.resolve() in inputs:
        raise ConfigError(
            f"{out}: --out is one of the folders being merged (it would overwrite that shard)",
            hint="Merge into a new folder.",
        )
    indexes = {folder: _index_of(folder) for folder in folders}
    found = [(folder, *index) for folder, index in indexes.items() if index is not None]
    unfinished = [str(folder) for folder, index in indexes.items() if index is None]
    if not found:
        raise ConfigError(
            f"{folders[0]}: holds neither {PLAN_INDEX} nor {DRIFT_INDEX}",
            hint="Give the folders `reconciler fleet plan --out` or `fleet drift --out` wrote.",
        )
    kinds = {kind for _, kind, _ in found}
    if len(kinds) != 1:
        raise ConfigError("cannot merge plans with drift reports: give folders of one kind")
    kind = kinds.pop()
    digests = {doc["fleet_digest"] for _, _, doc in found}
    if len(digests) != 1:
        raise ConfigError(
            "the folders come from different fleet files (or versions of one)",
            hint="Merge the shards of one run: each was made from the same fleet file.",
        )
    counts = {(doc.get("shard") or {}).get("count", 1) for _, _, doc in found}
    if len(counts) != 1:
        raise ConfigError(f"the folders come from runs of different shard counts {sorted(counts)}")
    count = counts.pop()
    seen_shards: set[int] = set()
    tenants: dict[str, dict[str, Any]] = {}
    for folder, _, doc in found:
        shard = doc.get("shard")
        if shard is not None:
            if shard["index"] in seen_shards:
                raise ConfigError(f"{folder}: shard {shard['index']}/{count} is given twice")
            seen_shards.add(shard["index"])
        for tenant in doc["tenants"]:
            if tenant["name"] in tenants:
                raise ConfigError(f"{folder}: tenant {tenant['name']} is in two of the folders")
            tenants[tenant["name"]] = {**tenant, "_from": str(folder)}
    (out / TENANTS).mkdir(parents=True, exist_ok=True)
    merged_tenants = []
    for tenant in ordered(tenants.values()):
        source = Path(tenant.pop("_from"))
        for key in ("plan", "report"):
            relative = tenant.get(key)
            if relative and (source / relative).resolve() != (out / relative).resolve():
                shutil.copyfile(source / relative, out / relative)
        merged_tenants.append(tenant)
    first = found[0][2]
    document = {
        **{k: v for k, v in first.items() if k not in ("tenants", "summary", "shard")},
        "shard": None,
        "merged_from": sorted(
            (doc.get("shard") or {"index": 0, "count": 1})["index"] for _, _, doc in found
        ),
        "tenants": merged_tenants,
    }
    document["created_at"] = max(doc["created_at"] for _, _, doc in found)
    summarise = plan_summary if kind == PLAN_KIND else drift_summary
    document["summary"] = summarise(merged_tenants)
    missing = tuple(sorted(set(range(count)) - seen_shards)) if count > 1 else ()
    if unfinished and not missing:  # an unsharded run's folder without an index
        raise ConfigError(
            f"{unfinished[0]}: holds neither {PLAN_INDEX} nor {DRIFT_INDEX}",
            hint="Give the folders `reconciler fleet plan --out` or `fleet drift --out` wrote.",
        )
    document["missing_shards"] = list(missing)
    document["unfinished_folders"] = unfinished
    name = PLAN_INDEX if kind == PLAN_KIND else DRIFT_INDEX
    write(out / name, document)
    return Merged(kind, document, missing)
