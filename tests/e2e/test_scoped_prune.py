"""`--prune` deletes unmanaged objects only inside the set's scope: a policy outside it
survives the apply, is listed as information only, and never counts as drift."""

from __future__ import annotations

from tests.support.cli import UNPACED, run
from tests.support.manifests import policy_doc, write_set
from tests.support.raw import by_name, raw
from tests.support.tenant import POLICIES, SECURITY_TYPE


def test_prune_deletes_inside_the_scope_and_spares_the_rest(capsys, emulator, tmp_path):
    for name, priority in (("Office - old", 20), ("Finance - keep", 21)):
        made = raw(
            emulator,
            "POST",
            POLICIES,
            json={"@odata.type": SECURITY_TYPE, "displayName": name, "priority": priority},
        )
        assert made.status_code == 201
    m = write_set(tmp_path / "m", policy_doc("a", "Office - baseline", 1))
    scope = ("--scope", "*/Office - *")
    plan = run(capsys, "plan", str(m), "--graph-url", emulator.base_url, "--prune", *scope)
    assert '- WindowsOfficeClientSecurityConfiguration "Office - old" {' in plan.out
    assert "Finance - keep" in plan.out.split("Not managed here:", 1)[1]
    applied = run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--prune",
        *scope,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert applied.code == 0, applied.err
    assert sorted(by_name(emulator)) == ["Finance - keep", "Office - baseline"]
    assert run(capsys, "drift", str(m), "--graph-url", emulator.base_url, *scope).code == 0
    unscoped = run(capsys, "plan", str(m), "--graph-url", emulator.base_url, "--prune")
    assert (
        unscoped.code == 1
        and "--prune deletes unmanaged objects only inside a scope" in unscoped.err
    )
