"""What one run keeps for the next, per tenant, under `--cache-dir`: the catalog entries it
looked up, and (for `drift --refresh incremental`) the child items of the objects it read.

Layout: `CACHE_DIR/<tenant>-<hash of Graph URL and tenant>/` holding `catalog.json` and
`read.json`, each `{"format": 1, "graph_url": ..., "tenant_id": ..., ...}`. A file of another
format, Graph URL or tenant, or one that cannot be read, is ignored (the run reads from
Graph, as without a cache) and replaced. The files hold the tenant's policy settings as
Graph returns them (secret values only as Graph's tokens): protect the folder as any copy
of the configuration.

- Catalog answers (setting definitions, Administrative Templates definitions and their
  presentations), by the URL that read them, are kept for `CATALOG_MAX_AGE`; a read the
  catalog answered with nothing is never kept, so a definition added since is found at once.
- The last read keeps, per object of a kind with a change marker (`lastModifiedDateTime`),
  the marker and the child items the object's own GET returned. An incremental read lists
  every collection anyway (so new, deleted and renamed objects and, from the list's
  `$expand=assignments`, every assignment are current) and reads again only the objects
  whose marker or child count differs; every `full_every`-th run reads everything.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reconciler.files import write_text_atomic

FORMAT = 1
CATALOG_MAX_AGE = timedelta(hours=24)


def folder(root: Path, graph_url: str, tenant_id: str) -> Path:
    """The folder of one tenant (one Graph URL and tenant id) under `root`."""
    digest = hashlib.sha256(f"{graph_url.rstrip('/')}\n{tenant_id}".encode()).hexdigest()[:16]
    label = re.sub(r"[^A-Za-z0-9._-]", "_", tenant_id)[:40] or "tenant"
    return root / f"{label}-{digest}"


@dataclass
class ReadMemory:
    """The child items of the objects of the last read, by kind and id, and what this read
    found (recorded as it goes, saved by `TenantCache.save_read`).

    `incremental` False: nothing is recalled (a full read), everything is recorded."""

    incremental: bool
    runs_since_full: int = 0
    known: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    found: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    recalled: int = 0  # objects taken from the memory instead of read

    def recall(self, kind: str, object_id: str, marker: Any) -> dict[str, Any] | None:
        """The child segments kept for this object when its marker is the one kept."""
        if not self.incremental or not isinstance(marker, str) or not marker:
            return None
        entry = self.known.get(kind, {}).get(object_id.lower())
        if entry is None or entry.get("marker") != marker:
            return None
        children = entry.get("children")
        return children if isinstance(children, dict) else None

    def record(self, kind: str, object_id: str, marker: Any, children: dict[str, Any]) -> None:
        if isinstance(marker, str) and marker:
            entry = {"marker": marker, "children": children}
            self.found.setdefault(kind, {})[object_id.lower()] = entry


class TenantCache:
    """One tenant's folder under `--cache-dir`."""

    def __init__(self, root: Path, graph_url: str, tenant_id: str, *, now: datetime) -> None:
        self.path = folder(root, graph_url, tenant_id)
        self.graph_url = graph_url.rstrip("/")
        self.tenant_id = tenant_id
        self.now = now

    # -- files ---------------------------------------------------------------------------

    def _read(self, name: str) -> dict[str, Any] | None:
        try:
            document = json.loads((self.path / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if (
            not isinstance(document, dict)
            or document.get("format") != FORMAT
            or document.get("graph_url") != self.graph_url
            or document.get("tenant_id") != self.tenant_id
        ):
            return None
        return document

    def _write(self, name: str, body: dict[str, Any]) -> None:
        document = {
            "format": FORMAT,
            "graph_url": self.graph_url,
            "tenant_id": self.tenant_id,
            **body,
        }
        self.path.mkdir(parents=True, exist_ok=True)
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        write_text_atomic(self.path / name, text, sync_directory=False)

    # -- the catalog ---------------------------------------------------------------------

    def catalog_reads(self) -> dict[str, Any]:
        """The catalog's answers (by read URL) looked up less than CATALOG_MAX_AGE ago."""
        document = self._read("catalog.json") or {}
        reads = document.get("reads", {})
        fresh: dict[str, Any] = {}
        for url, kept in reads.items() if isinstance(reads, dict) else ():
            try:
                when = datetime.fromisoformat(kept["fetched"])
            except (KeyError, TypeError, ValueError):
                continue
            answer = kept.get("answer")
            if timedelta(0) <= self.now - when < CATALOG_MAX_AGE and answer is not None:
                fresh[url] = answer
        return fresh

    def save_catalog_reads(self, found: dict[str, Any]) -> None:
        """Add the answers just read (URL -> entry or list); a read the catalog answered
        with nothing (None: no such entry; an empty search) is never kept, so an entry
        added since is found at once."""
        document = self._read("catalog.json") or {}
        reads = document.get("reads")
        reads = reads if isinstance(reads, dict) else {}
        stamp = self.now.isoformat()
        for url, answer in found.items():
            if answer not in (None, []):  # nothing found now may be found tomorrow
                reads[url] = {"fetched": stamp, "answer": answer}
        self._write("catalog.json", {"reads": reads})

    # -- the last read -------------------------------------------------------------------

    def memory(self, *, incremental: bool, full_every: int) -> ReadMemory:
        """What to recall from the last read: nothing for a full read (asked for, due
        every `full_every` runs, or with nothing usable kept)."""
        document = self._read("read.json") if incremental else None
        runs = document.get("runs_since_full") if document else None
        kinds = document.get("kinds") if document else None
        if not isinstance(runs, int) or not isinstance(kinds, dict) or runs + 1 >= full_every:
            return ReadMemory(incremental=False)
        return ReadMemory(incremental=True, runs_since_full=runs, known=kinds)

    def save_read(self, memory: ReadMemory) -> None:
        runs = memory.runs_since_full + 1 if memory.incremental else 0
        self._write(
            "read.json",
            {"runs_since_full": runs, "written_at": self.now.isoformat(), "kinds": memory.found},
        )
