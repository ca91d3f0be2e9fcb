"""`make fleet-demo`: the example fleet (`examples/fleet/`) end to end against the embedded
emulator serving its three tenants over https: validate, plan (one saved plan per tenant),
show the fleet plan, apply it, plan again (empty), an edit "in the portal" of one tenant,
and fleet drift naming that tenant with an HTML report.

One app registration signs in to every tenant with a client secret (fabrikam's comes from
its own variable, as the fleet file says); each tenant has its own "All staff" group, which
the baseline names by displayName. The demo knows no kind: the portal edit is what
`examples/fleet/portal-edit.json` says, sent as plain HTTP.
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from reconciler.cli.demo import step
from reconciler.emulator import running_emulator
from reconciler.emulator.certificate import self_signed, server_context
from reconciler.kinds import directory

FLEET = Path(__file__).resolve().parents[2] / "examples" / "fleet"
APP, SECRET = "fleet-demo-app", "fleet-demo-secret"
ROLES = ("DeviceManagementConfiguration.ReadWrite.All", "Group.Read.All")


def _call(method: str, url: str, context: ssl.SSLContext, **options: Any) -> Any:
    data = options.get("form") and urllib.parse.urlencode(options["form"]).encode()
    if "json" in options:
        data = json.dumps(options["json"]).encode()
    headers = {"Content-Type": "application/json"} if "json" in options else {}
    if "token" in options:
        headers["Authorization"] = f"Bearer {options['token']}"
    request = urllib.request.Request(url, data=data or None, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10, context=context) as answer:  # noqa: S310
        body = answer.read()
    return json.loads(body) if body else None


def portal_edit(emulator: Any, tenant_id: str, cafile: Path, edit: dict[str, Any]) -> None:
    """What `portal-edit.json` says an admin of that tenant does in the portal: find the
    object of `collection` matching `match`, PATCH `body` to it, with that tenant's token."""
    context = ssl.create_default_context(cafile=str(cafile))
    form = {"grant_type": "client_credentials", "client_id": APP, "client_secret": SECRET,
            "scope": "https://graph.microsoft.com/.default"}  # fmt: skip
    token = _call("POST", f"{emulator.root_url}/{tenant_id}/oauth2/v2.0/token", context, form=form)
    collection = emulator.base_url + edit["collection"]
    listed = _call("GET", collection, context, token=token["access_token"])
    target = next(
        o for o in listed["value"] if all(o.get(k) == v for k, v in edit["match"].items())
    )
    _call("PATCH", f"{collection}/{target['id']}", context, token=token["access_token"],
          json=edit["body"])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from reconciler.fleet.spec import load_fleet

    parser = argparse.ArgumentParser(prog="python -m reconciler.cli.fleet_demo")
    parser.add_argument("--keep", type=Path, help="keep the plans and reports in this folder")
    args = parser.parse_args(argv)
    fleet = load_fleet(FLEET / "fleet.yaml")
    ids = [t.tenant_id for t in fleet.tenants]
    seeds: dict[str, Any] = {tid: {"groups": [{directory.NAME: "All staff"}]} for tid in ids}
    with tempfile.TemporaryDirectory(prefix="fleet-demo-") as tmp:
        out = args.keep or Path(tmp)
        cert, key = self_signed(Path(tmp))
        with running_emulator(
            tenants=tuple(ids), client_id=APP, client_secret=SECRET, token_roles=ROLES,
            seeds=seeds, tls=server_context(cert, key),
        ) as emulator:  # fmt: skip
            print(f"Graph emulator listening on {emulator.base_url}, serving the tenants of "
                  f"{FLEET / 'fleet.yaml'}")  # fmt: skip
            os.environ.update({
                "AZURE_CLIENT_ID": APP, "AZURE_CLIENT_SECRET": SECRET,
                "FABRIKAM_CLIENT_SECRET": SECRET, "REQUESTS_CA_BUNDLE": str(cert),
                "AZURE_AUTHORITY_HOST": emulator.root_url,
            })  # fmt: skip
            graph = ["--graph-url", emulator.base_url, "--auth", "env"]
            fleet_file, plans = str(FLEET / "fleet.yaml"), str(out / "plans")
            step("validate", ["fleet", "validate", fleet_file], {0})
            step("plan", ["fleet", "plan", fleet_file, "--out", plans, *graph], {2})
            step("show", ["show", plans, "--format", "markdown"], {0})
            state = str(out / "state")
            step("apply", ["fleet", "apply", plans, *graph, "--state-dir", state], {0})
            again = str(out / "plans-again")
            step("plan again", ["fleet", "plan", fleet_file, "--out", again, *graph], {0})
            edit = json.loads((FLEET / "portal-edit.json").read_text(encoding="utf-8"))
            edited = fleet.tenant(edit["tenant"])
            assert edited is not None
            print(f"\n# In the portal: {edit['note']}")
            portal_edit(emulator, edited.tenant_id, cert, edit)
            report = str(out / "fleet-drift.html")
            step("drift", ["fleet", "drift", fleet_file, *graph, "--report", report], {2})
    print(
        "\nFleet demo complete: three tenants planned and applied, the fleet matched its "
        "baseline, and fleet drift named the tenant changed in the portal (exit 2)."
        + (f" Plans and the HTML report are in {out}." if args.keep else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
