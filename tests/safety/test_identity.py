"""Identity that stays stable: a pinned policy deleted in the portal, an exported set
promoted to a fresh tenant, and names that differ only by Unicode normalisation, case or
spaces all end in an empty plan after one apply, without a second copy."""

from __future__ import annotations

import json
import unicodedata

from tests.support.cli import UNPACED, run
from tests.support.manifests import policy_doc, write_set
from tests.support.raw import by_name, raw
from tests.support.tenant import POLICIES


def _apply(capsys, emulator, m, tmp_path):
    result = run(
        capsys, "apply", str(m), "--graph-url", emulator.base_url, "--auto-approve", *UNPACED,
        "--state-dir", str(tmp_path / "s"),
    )  # fmt: skip
    assert result.code == 0, result.err
    return result


def _empty(capsys, emulator, m) -> None:
    again = run(capsys, "plan", str(m), "--graph-url", emulator.base_url, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err


def test_a_pinned_policy_deleted_in_the_portal_is_recreated_once(capsys, emulator, tmp_path):
    m = write_set(tmp_path / "m", policy_doc("a", "Policy A", 1))
    _apply(capsys, emulator, m, tmp_path)
    first = by_name(emulator)["Policy A"]["id"]
    pinned = write_set(tmp_path / "m", policy_doc("a", "Policy A", 1, extra_meta=f"  id: {first}"))
    assert raw(emulator, "DELETE", f"{POLICIES}/{first}").status_code == 204
    planned = run(capsys, "plan", str(pinned), "--graph-url", emulator.base_url)
    assert f"metadata.id {first} is not in the tenant and no object has this name" in planned.out
    _apply(capsys, emulator, pinned, tmp_path)
    assert len(by_name(emulator)) == 1
    _empty(capsys, emulator, pinned)  # the new object is found by its name


def test_an_exported_set_promoted_to_a_fresh_tenant_converges(capsys, make_emulator, tmp_path):
    source, target = make_emulator(), make_emulator()
    m = write_set(tmp_path / "m", policy_doc("a", "Policy A", 1), policy_doc("b", "Policy B", 2))
    _apply(capsys, source, m, tmp_path)
    exported = tmp_path / "exported"
    assert run(capsys, "export", "--graph-url", source.base_url, "--out", str(exported)).code == 0
    _apply(capsys, target, exported, tmp_path)  # every pinned id is another tenant's
    assert sorted(by_name(target)) == ["Policy A", "Policy B"]
    _empty(capsys, target, exported)
    _apply(capsys, target, exported, tmp_path)
    assert len(by_name(target)) == 2


def test_names_equal_after_normalisation_adopt_instead_of_doubling(capsys, emulator, tmp_path):
    nfd = unicodedata.normalize("NFD", "Café policy")
    assert nfd != "Café policy"
    made = raw(
        emulator, "POST", POLICIES,
        json={"@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
              "displayName": nfd, "priority": 1, "description": "managed"},
    )  # fmt: skip
    assert made.status_code == 201
    for written in ("Café policy", "CAFÉ POLICY", "Café policy  "):
        m = write_set(tmp_path / "m", policy_doc("a", written, 1))
        body = json.loads(
            run(capsys, "plan", str(m), "--graph-url", emulator.base_url, "--format", "json").out
        )
        assert [c["action"] for c in body["changes"]] in ([], ["update"]), body["changes"]
    _apply(capsys, emulator, m, tmp_path)
    assert len(by_name(emulator)) == 1
