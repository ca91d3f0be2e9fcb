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
    assert page["rings"] == ["broad", "pilot"] and all(t["visible"] for t in page["tenants"])
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
