"""The per-tenant cache under `--cache-dir` (fetch/cache.py), on disk in a temporary folder:
one folder per Graph URL and tenant; a file of another format, URL or tenant, or one that
cannot be read, is ignored; catalog answers are kept for CATALOG_MAX_AGE and never when the
catalog answered nothing; the read memory recalls an object's children only for its kept
marker, and a full read is due every `full_every` runs."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reconciler.fetch.cache import CATALOG_MAX_AGE, FORMAT, ReadMemory, TenantCache, folder

URL = "https://graph.microsoft.com/beta"
TENANT = "11111111-2222-4333-8444-555555555555"
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def cache(root: Path, *, now: datetime = NOW, url: str = URL, tenant: str = TENANT):
    return TenantCache(root, url, tenant, now=now)


# -- the folder ----------------------------------------------------------------------------


def test_one_folder_per_graph_url_and_tenant_named_by_the_tenant(tmp_path: Path) -> None:
    here = folder(tmp_path, URL, TENANT)
    assert here.parent == tmp_path
    label, digest = here.name.rsplit("-", 1)
    assert label == TENANT and re.fullmatch(r"[0-9a-f]{16}", digest)
    assert folder(tmp_path, URL + "/", TENANT) == here  # a trailing slash is the same URL
    others = {folder(tmp_path, URL, "other"), folder(tmp_path, URL + "x", TENANT)}
    assert here not in others and len(others) == 2
    # a tenant "name" is made safe for a file name and cut; none at all is "tenant"
    assert folder(tmp_path, URL, "a/b c:d").name.startswith("a_b_c_d-")
    assert folder(tmp_path, URL, "x" * 60).name.rsplit("-", 1)[0] == "x" * 40
    assert folder(tmp_path, URL, "").name.startswith("tenant-")
    assert folder(tmp_path, URL, "Contoso.onmicrosoft.com").name.startswith(
        "Contoso.onmicrosoft.com-"
    )


# -- the files -------------------------------------------------------------------------------


def test_a_saved_file_names_its_format_url_and_tenant_compactly(tmp_path: Path) -> None:
    mine = cache(tmp_path, url=URL + "/")
    mine.save_catalog_reads({"/a": {"displayName": "Déjà vu"}})
    text = (mine.path / "catalog.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert (document["format"], document["graph_url"], document["tenant_id"]) == (
        FORMAT,
        URL,
        TENANT,
    )
    assert "Déjà vu" in text and ": " not in text and ", " not in text  # as is, no padding
    assert cache(tmp_path).catalog_reads() == {"/a": {"displayName": "Déjà vu"}}


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        "[1, 2]",
        {"format": FORMAT + 1},
        {"graph_url": URL + "/v1.0"},
        {"tenant_id": "another"},
        {"format": None},
    ],
)
def test_a_file_of_another_format_url_or_tenant_or_damaged_is_ignored(
    tmp_path: Path, damage: str | dict
) -> None:
    mine = cache(tmp_path)
    mine.save_catalog_reads({"/a": {"id": "a"}})
    mine.save_read(recorded(incremental=False))
    assert mine.catalog_reads() and mine.memory(incremental=True, full_every=5).incremental
    for name in ("catalog.json", "read.json"):
        path = mine.path / name
        if isinstance(damage, dict):  # the same content under another header field
            document = {**json.loads(path.read_text(encoding="utf-8")), **damage}
            path.write_text(json.dumps(document), encoding="utf-8")
        else:
            path.write_text(damage, encoding="utf-8")
    assert mine.catalog_reads() == {}
    assert mine.memory(incremental=True, full_every=5).incremental is False


def test_the_cache_is_read_as_utf_8_whatever_the_platform_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows reads text files in its ANSI code page unless told: make that the default here
    # (pathlib asks io.text_encoding), and the cache must still read back what it wrote
    cache(tmp_path).save_catalog_reads({"/a": {"displayName": "Déjà vu"}})
    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: encoding or "cp1252")
    assert cache(tmp_path).catalog_reads() == {"/a": {"displayName": "Déjà vu"}}


def test_no_folder_yet_is_an_empty_cache(tmp_path: Path) -> None:
    mine = cache(tmp_path / "not" / "made")
    assert mine.catalog_reads() == {}
    assert mine.memory(incremental=True, full_every=5).incremental is False
    mine.save_read(ReadMemory(incremental=False))  # makes the folders it needs
    assert (mine.path / "read.json").is_file()


# -- catalog answers -------------------------------------------------------------------------


def test_catalog_answers_are_kept_for_their_age_and_never_from_the_future(tmp_path: Path) -> None:
    cache(tmp_path, now=NOW).save_catalog_reads({"/a": {"id": "a"}, "/b": [{"id": "b"}]})
    assert cache(tmp_path, now=NOW).catalog_reads() == {"/a": {"id": "a"}, "/b": [{"id": "b"}]}
    almost = NOW + CATALOG_MAX_AGE - timedelta(seconds=1)
    assert set(cache(tmp_path, now=almost).catalog_reads()) == {"/a", "/b"}
    assert cache(tmp_path, now=NOW + CATALOG_MAX_AGE).catalog_reads() == {}  # expired
    # a clock set back: an answer stamped later than now is not trusted
    assert cache(tmp_path, now=NOW - timedelta(seconds=1)).catalog_reads() == {}


def test_nothing_found_is_never_kept_and_new_answers_join_the_old(tmp_path: Path) -> None:
    cache(tmp_path, now=NOW).save_catalog_reads({"/a": {"id": "a"}, "/gone": None, "/none": []})
    later = NOW + timedelta(hours=1)
    cache(tmp_path, now=later).save_catalog_reads({"/b": {"id": "b"}})
    kept = json.loads((folder(tmp_path, URL, TENANT) / "catalog.json").read_text())["reads"]
    assert kept == {
        "/a": {"fetched": NOW.isoformat(), "answer": {"id": "a"}},
        "/b": {"fetched": later.isoformat(), "answer": {"id": "b"}},
    }
    assert set(cache(tmp_path, now=later).catalog_reads()) == {"/a", "/b"}


@pytest.mark.parametrize(
    "reads",
    [
        {"/a": {"answer": {"id": "a"}}},  # no stamp
        {"/a": {"fetched": 7, "answer": {"id": "a"}}},
        {"/a": {"fetched": "yesterday", "answer": {"id": "a"}}},
        {"/a": "not an entry"},
        {"/a": {"fetched": NOW.isoformat(), "answer": None}},
        ["/a"],
    ],
)
def test_a_damaged_catalog_entry_is_skipped_and_the_others_kept(tmp_path: Path, reads) -> None:
    mine = cache(tmp_path)
    mine.save_catalog_reads({"/ok": {"id": "ok"}})
    path = mine.path / "catalog.json"
    document = json.loads(path.read_text())
    if isinstance(reads, dict):
        document["reads"].update(reads)
        expected = {"/ok": {"id": "ok"}}
    else:
        document["reads"] = reads
        expected = {}
    path.write_text(json.dumps(document))
    assert mine.catalog_reads() == expected
    mine.save_catalog_reads({"/new": {"id": "n"}})  # a damaged list of reads is replaced
    assert "/new" in mine.catalog_reads()


# -- the read memory -------------------------------------------------------------------------


def recorded(*, incremental: bool, runs: int = 0) -> ReadMemory:
    memory = ReadMemory(incremental=incremental, runs_since_full=runs)
    memory.record("Policy", "ABC-1", "2026-12-01T10:00:00Z", {"settings": [{"id": "s"}]})
    memory.record("Policy", "no-marker", None, {"settings": []})
    memory.record("Policy", "empty-marker", "", {"settings": []})
    memory.record("Profile", "abc-1", "m2", {"definitionValues": []})
    return memory


def test_record_keeps_objects_with_a_marker_by_kind_and_lower_case_id() -> None:
    assert recorded(incremental=False).found == {
        "Policy": {
            "abc-1": {"marker": "2026-12-01T10:00:00Z", "children": {"settings": [{"id": "s"}]}}
        },
        "Profile": {"abc-1": {"marker": "m2", "children": {"definitionValues": []}}},
    }


def test_recall_answers_only_for_the_kept_marker_of_that_kind_and_id() -> None:
    memory = ReadMemory(incremental=True, known=recorded(incremental=False).found)
    children = {"settings": [{"id": "s"}]}
    assert memory.recall("Policy", "abc-1", "2026-12-01T10:00:00Z") == children
    assert memory.recall("Policy", "ABC-1", "2026-12-01T10:00:00Z") == children  # any case
    assert memory.recall("Policy", "abc-1", "2026-12-01T11:00:00Z") is None  # changed since
    assert memory.recall("Profile", "abc-1", "2026-12-01T10:00:00Z") is None  # another kind's
    assert memory.recall("Nothing", "abc-1", "m2") is None
    assert memory.recall("Policy", "other", "2026-12-01T10:00:00Z") is None
    assert memory.recall("Policy", "abc-1", None) is None
    blank = ReadMemory(
        incremental=True, known={"Policy": {"abc-1": {"marker": "", "children": {}}}}
    )
    assert blank.recall("Policy", "abc-1", "") is None  # no marker: nothing to compare
    # a full read recalls nothing; kept children that are no mapping are not trusted
    full = ReadMemory(incremental=False, known=memory.known)
    assert full.recall("Policy", "abc-1", "2026-12-01T10:00:00Z") is None
    damaged = ReadMemory(
        incremental=True, known={"Policy": {"abc-1": {"marker": "m", "children": []}}}
    )
    assert damaged.recall("Policy", "abc-1", "m") is None


def test_the_read_is_saved_with_its_count_of_runs_since_the_last_full_one(tmp_path: Path) -> None:
    mine = cache(tmp_path)
    mine.save_read(recorded(incremental=False, runs=3))  # a full read starts the count again
    document = json.loads((mine.path / "read.json").read_text())
    assert document["runs_since_full"] == 0 and document["written_at"] == NOW.isoformat()
    assert document["kinds"] == recorded(incremental=False).found
    memory = mine.memory(incremental=True, full_every=3)
    assert (memory.incremental, memory.runs_since_full, memory.known) == (
        True,
        0,
        document["kinds"],
    )
    mine.save_read(ReadMemory(incremental=True, runs_since_full=1))
    assert json.loads((mine.path / "read.json").read_text())["runs_since_full"] == 2


@pytest.mark.parametrize(
    ("runs", "full_every", "incremental"),
    [(0, 2, True), (1, 2, False), (1, 3, True), (2, 3, False), (5, 3, False)],
)
def test_a_full_read_is_due_every_full_every_runs(
    tmp_path: Path, runs: int, full_every: int, incremental: bool
) -> None:
    mine = cache(tmp_path)
    mine.save_read(recorded(incremental=True, runs=runs - 1))
    memory = mine.memory(incremental=True, full_every=full_every)
    assert memory.incremental is incremental
    assert memory.known == (recorded(incremental=True).found if incremental else {})
    assert memory.runs_since_full == (runs if incremental else 0)


@pytest.mark.parametrize(
    "document",
    [{"kinds": {}}, {"runs_since_full": "1", "kinds": {}}, {"runs_since_full": 0, "kinds": []}],
)
def test_a_read_file_without_its_count_or_its_kinds_means_a_full_read(
    tmp_path: Path, document: dict
) -> None:
    mine = cache(tmp_path)
    mine.save_read(ReadMemory(incremental=False))
    path = mine.path / "read.json"
    kept = json.loads(path.read_text())
    kept.pop("runs_since_full"), kept.pop("kinds")
    path.write_text(json.dumps({**kept, **document}))
    assert mine.memory(incremental=True, full_every=5).incremental is False


def test_a_full_read_asked_for_recalls_nothing_though_the_last_read_is_kept(tmp_path: Path) -> None:
    mine = cache(tmp_path)
    mine.save_read(recorded(incremental=False))
    assert mine.memory(incremental=True, full_every=5).incremental  # it could be recalled
    assert mine.memory(incremental=False, full_every=5) == ReadMemory(incremental=False)
