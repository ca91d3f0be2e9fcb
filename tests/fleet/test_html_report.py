"""Aspect: the fleet's HTML pages, rendered in headless Chromium (Debian's package; `make
test` and `.ci/run` install it, tools/install_chromium.sh), show what the JSON document
says: tenants grouped by ring, each tenant's status and counts, the fleet's tiles, and a
tenant's findings once its row is clicked open. The page loads nothing from outside.

The documents come from a real `fleet drift` and `fleet plan` over https against the
multi-tenant emulator: one tenant with drift, one failed, the rest clean.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import browser
from tests.support.cli import run

from .support import BY_NAME, MACROS, TENANTS, portal_edit, read_json, secret_env, write_fleet

SHOWN = """(() => {
  const tenants = [...document.querySelectorAll('details.tenant')].map(d => ({
    name: d.dataset.tenant,
    ring: d.closest('section').dataset.ring,
    status: d.querySelector('[data-status]').dataset.status,
    counts: Object.fromEntries([...d.querySelectorAll('summary [data-count]')]
      .map(c => [c.dataset.count, Number(c.textContent)])),
    visible: d.querySelector('summary').checkVisibility(),
  }));
  const tiles = Object.fromEntries([...document.querySelectorAll('body > .tiles [data-count]')]
    .map(t => [t.dataset.count, Number(t.textContent)]));
  const rings = [...document.querySelectorAll('section[data-ring]')].map(s => s.dataset.ring);
  return {tenants, tiles, rings};
})()"""

EXTERNAL = """[...document.querySelectorAll('[src],[href]')]
  .map(e => e.getAttribute('src') || e.getAttribute('href'))"""


@pytest.fixture(scope="module")
def chromium():
    binary = browser.find()
    assert binary, "no Chromium: run tools/install_chromium.sh (make test does)"
    with browser.Browser(binary) as found:
        yield found


def _runs(capsys, fleet_emulator, monkeypatch, tmp_path) -> Path:
    emulator = fleet_emulator(tenants=TENANTS[:4])
    fleet_file = write_fleet(
        tmp_path, TENANTS[:4], extra={"tailspin": "environment: {AZURE_CLIENT_SECRET: NOPE}"}
    )
    for name, value in secret_env(emulator).items():
        monkeypatch.setenv(name, value)
    graph = ("--graph-url", emulator.base_url, "--auth", "env")
    plans = tmp_path / "plans"
    assert run(capsys, "fleet", "plan", str(fleet_file), "--out", str(plans), *graph).code == 1
    applied = run(capsys, "fleet", "apply", str(plans), *graph, "--state-dir", str(tmp_path / "s"))
    assert applied.code == 1, applied.err
    portal_edit(emulator, BY_NAME["fabrikam"], MACROS, {"description": "edited in the portal"})
    reports = ("--report", str(tmp_path / "d.html"), "--report", str(tmp_path / "d.json"))
    assert run(capsys, "fleet", "drift", str(fleet_file), *graph, *reports).code == 1
    shown = run(capsys, "show", str(plans), "--format", "html")
    (tmp_path / "p.html").write_text(shown.out, encoding="utf-8")
    as_json = run(capsys, "show", str(plans), "--format", "json")
    (tmp_path / "p.json").write_text(as_json.out, encoding="utf-8")
    return tmp_path


def test_drift_and_plan_pages_show_what_the_json_says(
    capsys, fleet_emulator, monkeypatch, tmp_path, chromium
) -> None:
    folder = _runs(capsys, fleet_emulator, monkeypatch, tmp_path)

    chromium.open(folder / "d.html")
    page = chromium.evaluate(SHOWN)
    document = read_json(folder / "d.json")
    expected = {
        t["name"]: (t["ring"], t["status"], {k: (t["summary"] or {}).get(k, 0) for k in
                    ("drifted_resources", "drifted_fields", "missing", "unmanaged")})
        for t in document["tenants"]
    }  # fmt: skip
    assert {t["name"]: (t["ring"], t["status"], t["counts"]) for t in page["tenants"]} == expected
    assert {n: s for n, (_, s, _) in expected.items()} == {
        "contoso": "clean",
        "fabrikam": "drift",
        "northwind": "clean",
        "tailspin": "failed",
    }
    assert page["rings"] == ["pilot", "broad"] and all(t["visible"] for t in page["tenants"])
    assert {k: page["tiles"][k] for k in document["summary"]} == document["summary"]
    assert chromium.evaluate(EXTERNAL) == []

    # A tenant's findings are hidden until its row is clicked, then shown.
    finding = "document.querySelector('details[data-tenant=fabrikam] details.resource')"
    # (checkVisibility: a closed <details> skips its content's rendering, yet layout
    # queries on that content still answer with sizes.)
    visible = f"{finding}.checkVisibility()"
    assert chromium.evaluate(visible) is False
    chromium.evaluate("document.querySelector('details[data-tenant=fabrikam] > summary').click()")
    assert chromium.evaluate(visible) is True
    assert chromium.evaluate(f"{finding}.dataset.address") == "SettingsCatalogPolicy/office-macros"
    reason = "document.querySelector('details[data-tenant=tailspin] [data-reason]').dataset.reason"
    assert chromium.evaluate(reason) == "config"

    chromium.open(folder / "p.html")
    page = chromium.evaluate(SHOWN)
    plan = json.loads((folder / "p.json").read_text(encoding="utf-8"))
    planned = {
        t["name"]: (t["status"], {k: (t["summary"] or {}).get(k, 0) for k in
                    ("create", "update", "delete", "writes")})
        for t in plan["tenants"]
    }  # fmt: skip
    assert {t["name"]: (t["status"], t["counts"]) for t in page["tenants"]} == planned
    assert planned["tailspin"][0] == "failed" and planned["contoso"] == (
        "changes",
        {"create": 1, "update": 0, "delete": 0, "writes": 1},
    )
    assert {k: page["tiles"][k] for k in ("tenants", "changes", "failed", "create")} == {
        k: plan["summary"][k] for k in ("tenants", "changes", "failed", "create")
    }


def test_single_tenant_drift_and_plan_pages_show_what_the_json_says(
    capsys, make_emulator, tmp_path, chromium
) -> None:
    from tests.support.manifests import policy_doc, write_set
    from tests.support.raw import by_name, raw
    from tests.support.tenant import POLICIES

    emulator = make_emulator()
    graph = ("--graph-url", emulator.base_url)
    m = write_set(tmp_path / "m", policy_doc("a", "Policy A", 1), policy_doc("b", "Policy B", 2))
    saved = tmp_path / "plan.json"
    assert run(capsys, "plan", str(m), *graph, "--out", str(saved)).code == 0
    (tmp_path / "plan.html").write_text(
        run(capsys, "show", str(saved), "--format", "html").out, encoding="utf-8"
    )
    plan = json.loads(run(capsys, "show", str(saved), "--format", "json").out)
    applied = run(capsys, "apply", str(saved), *graph, "--state-dir", str(tmp_path / "s"))
    assert applied.code == 0, applied.err
    target = by_name(emulator)["Policy A"]
    assert raw(emulator, "PATCH", f"{POLICIES}/{target['id']}", json={"description": "x"}).ok
    reports = ("--report", str(tmp_path / "d.html"), "--report", str(tmp_path / "d.json"))
    assert run(capsys, "drift", str(m), *graph, *reports).code == 2

    tiles = "Object.fromEntries([...document.querySelectorAll('body > .tiles [data-count]')].map(t => [t.dataset.count, Number(t.textContent)]))"
    chromium.open(tmp_path / "d.html")
    summary = read_json(tmp_path / "d.json")["summary"]
    shown = chromium.evaluate(tiles)
    assert shown == {k: summary[k] for k in shown} and shown["drifted_fields"] == 1
    assert chromium.evaluate(
        "[...document.querySelectorAll('details.resource')].map(d => d.dataset.address)"
    ) == [
        r["address"]
        for r in read_json(tmp_path / "d.json")["resources"]
        if r["status"] == "drifted"
    ]
    assert chromium.evaluate(EXTERNAL) == []
    chromium.open(tmp_path / "plan.html")
    shown = chromium.evaluate(tiles)
    assert shown == {
        **{k: plan["summary"][k] for k in ("create", "update", "delete")},
        "writes": plan["cost"]["writes"],
    }
    assert shown["create"] == 2
    assert chromium.evaluate(
        "[...document.querySelectorAll('details.change')].map(d => d.dataset.address)"
    ) == [c["address"] for c in plan["changes"]]
