"""Aspect: files reconciler writes are durable and readable as the user's other files are.

- Reports, saved plans and exports get the process's umask (0644 under 022, 0640 under 027),
  not the 0600 that `mkstemp` gave them, so a team's shared folder or a CI artifact step can
  read them. The sign-in record alone stays 0600.
- An atomic write fsyncs the new content before the rename and the directory after it; the
  order is observed on the real system calls (os.fsync and os.replace still run).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from reconciler.files import write_text_atomic
from tests.support.cli import run
from tests.support.manifests import policy_doc, write_set


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
def test_an_atomic_write_gets_the_umask_and_leaves_no_temporary(tmp_path, mask):
    target = tmp_path / "out" / "report.md"
    with umask(mask):
        write_text_atomic(target, "ä\nline\n")
        write_text_atomic(tmp_path / "record.json", "{}", private=True)
    assert mode(target) == 0o666 & ~mask
    assert mode(tmp_path / "record.json") == 0o600
    assert target.read_bytes() == "ä\nline\n".encode()  # UTF-8, "\n" kept as is
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.md"]


def test_reports_plans_and_exports_are_readable_by_the_group(capsys, emulator, tmp_path):
    url = emulator.base_url
    manifests = write_set(tmp_path / "m", policy_doc("a", "Policy A", 1, payload={"x": 1}))
    with umask(0o022):
        assert run(capsys, "apply", str(manifests), "--graph-url", url, "--auto-approve",
                   "--write-rate", "0", "--state-dir", str(tmp_path / "s")).code == 0  # fmt: skip
        plan = run(capsys, "plan", str(manifests), "--graph-url", url,
                   "--out", str(tmp_path / "plan.json"))  # fmt: skip
        drift = run(capsys, "drift", str(manifests), "--graph-url", url,
                    "--report", str(tmp_path / "r" / "drift.json"),
                    "--report", str(tmp_path / "r" / "drift.sarif"))  # fmt: skip
        export = run(capsys, "export", "--graph-url", url, "--out", str(tmp_path / "x"))
    assert (plan.code, drift.code, export.code) == (0, 0, 0), plan.err + drift.err + export.err
    written = [
        tmp_path / "plan.json",
        tmp_path / "r" / "drift.json",
        tmp_path / "r" / "drift.sarif",
        *(p for p in (tmp_path / "x").rglob("*") if p.is_file()),
        *(p for p in (tmp_path / "s" / "backups").rglob("*") if p.is_file()),
    ]
    assert any(p.suffix == ".json" and "payloads" in p.parts for p in written)  # payload files
    assert {str(p.relative_to(tmp_path)): oct(mode(p)) for p in written} == {
        str(p.relative_to(tmp_path)): oct(0o644) for p in written
    }
    assert json.loads((tmp_path / "r" / "drift.json").read_text())["drift"] is False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name an fd")
def test_content_is_synced_before_the_rename_and_the_directory_after(tmp_path, monkeypatch):
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(("replace", str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / "plan.json"
    write_text_atomic(target, "{}")
    (kind1, synced_file), (kind2, renamed), (kind3, synced_dir) = calls
    assert (kind1, kind2, kind3) == ("fsync", "replace", "fsync")
    assert Path(synced_file).name.startswith(".plan.json.")  # the temporary, before it moved
    assert (renamed, synced_dir) == (str(target), str(tmp_path))
