"""metadata.ignore is Terraform's ignore_changes: the declared value is set when the object
is created (and the plan shows it), then never compared, so a portal edit of it is not
drift and no later plan writes it."""

from __future__ import annotations

import json

from tests.support.cli import UNPACED, run
from tests.support.manifests import policy_doc, write_set
from tests.support.raw import by_name, raw
from tests.support.tenant import POLICIES


def test_an_ignored_field_is_set_on_create_and_never_compared_again(capsys, emulator, tmp_path):
    doc = policy_doc(
        "a", "Policy A", 1, description="first words", extra_meta="  ignore: [/description]"
    )
    m = write_set(tmp_path / "m", doc)
    body = json.loads(
        run(capsys, "plan", str(m), "--graph-url", emulator.base_url, "--format", "json").out
    )
    (change,) = [c for c in body["changes"] if c["action"] == "create"]
    assert {"field": "description", "after": "first words"}.items() <= next(
        r for r in change["fields"] if r["field"] == "description"
    ).items()
    assert change["steps"][0]["body"]["description"] == "first words"
    applied = run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        *UNPACED,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert applied.code == 0, applied.err
    assert "Apply complete" in applied.out  # the verification skips the ignored field
    live = by_name(emulator)["Policy A"]
    assert live["description"] == "first words"
    raw(emulator, "PATCH", f"{POLICIES}/{live['id']}", json={"description": "edited in the portal"})
    again = run(capsys, "plan", str(m), "--graph-url", emulator.base_url, "--detailed-exitcode")
    assert again.code == 0, again.out
    assert run(capsys, "drift", str(m), "--graph-url", emulator.base_url).code == 0
