"""`export --update-ids DIR` re-pins a manifest set to the tenant it now runs against,
editing only metadata.id (comments, quotes and layout kept), after saying what it changes."""

from __future__ import annotations

from tests.support.cli import UNPACED, run
from tests.support.raw import by_name

SET = """# The Office baseline, kept by hand.
apiVersion: reconciler/v1
kind: WindowsOfficeClientSecurityConfiguration
metadata:
  name: a          # the macro policy
  id: "0000aaaa-0000-4000-8000-000000000000"   # pinned in the old tenant
spec:
  displayName: Policy A
  priority: 1
---
apiVersion: reconciler/v1
kind: WindowsOfficeClientSecurityConfiguration
metadata:
  name: b
spec:
  displayName: Policy B   # never pinned
  priority: 2
"""


def test_update_ids_edits_only_the_ids(capsys, emulator, tmp_path):
    root = tmp_path / "m"
    root.mkdir()
    path = root / "set.yaml"
    path.write_text(SET, encoding="utf-8")
    applied = run(
        capsys,
        "apply",
        str(root),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert applied.code == 0, applied.err
    ids = {name: p["id"] for name, p in by_name(emulator).items()}
    result = run(capsys, "export", "--update-ids", str(root), "--graph-url", emulator.base_url)
    assert result.code == 0, result.err
    assert f"metadata.id 0000aaaa-0000-4000-8000-000000000000 -> {ids['Policy A']}" in result.out
    assert f"metadata.id (none) -> {ids['Policy B']}" in result.out
    expected = SET.replace('"0000aaaa-0000-4000-8000-000000000000"', ids["Policy A"]).replace(
        "  name: b\n", f"  name: b\n  id: {ids['Policy B']}\n"
    )
    assert path.read_text(encoding="utf-8") == expected
    again = run(capsys, "export", "--update-ids", str(root), "--graph-url", emulator.base_url)
    assert "already pins its live object's id" in again.out
    plan = run(capsys, "plan", str(root), "--graph-url", emulator.base_url, "--detailed-exitcode")
    assert plan.code == 0, plan.out


def test_flow_style_metadata_is_refused_and_nothing_is_written(capsys, emulator, tmp_path):
    root = tmp_path / "m"
    root.mkdir()
    text = (
        "apiVersion: reconciler/v1\nkind: WindowsOfficeClientSecurityConfiguration\n"
        "metadata: {name: a}\nspec: {displayName: Policy A, priority: 1}\n"
    )
    (root / "a.yaml").write_text(text, encoding="utf-8")
    run(
        capsys,
        "apply",
        str(root),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    result = run(capsys, "export", "--update-ids", str(root), "--graph-url", emulator.base_url)
    assert result.code == 1 and "metadata is in flow style; add metadata.id by hand" in result.err
    assert (root / "a.yaml").read_text(encoding="utf-8") == text
