"""A fleet on disk and the multi-tenant emulator serving it, for the fleet tests.

`write_fleet(root, tenants)` writes a fleet folder: a baseline of two Settings Catalog
policies (a `${var.NAME}` in a description and in an assignment, a group named by
displayName), an overlay for the first tenant that replaces one baseline policy and an
exclusion of the other. `Tenants` are five named tenants with fixed ids; each has its own
"Helpdesk" group (a different id in each tenant, as in life). `secret_env` points the
identity library at the emulator over https with one app registration for all tenants.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

APP, SECRET = "fleet-app-under-test", "Fleet~Secret.Value-5e4d3c2b"
SCOPE = "https://graph.microsoft.com/.default"
ROLES = ("DeviceManagementConfiguration.ReadWrite.All", "Group.Read.All")
POLICIES = "/deviceManagement/configurationPolicies"
SETTINGS = Path(__file__).parents[2] / "manifests" / "settings" / "office-macros.json"
MACROS, PILOT = "Office - block internet macros", "Office - Outlook pilot"


@dataclass(frozen=True)
class FleetTenant:
    name: str
    tenant_id: str
    ring: str
    excluded_group: str  # the value of ${var.excludedGroup}
    helpdesk: str  # the id of the tenant's own group named "Helpdesk"


def _id(n: int, salt: int) -> str:
    return f"{n:08x}-{salt:04x}-4{n:03x}-8{salt:03x}-{n * 7919 + salt:012x}"


TENANTS = tuple(
    FleetTenant(name, _id(i + 1, 0xA), ring, _id(i + 1, 0xB), _id(i + 1, 0xC))
    for i, (name, ring) in enumerate(
        [
            ("contoso", "pilot"),
            ("fabrikam", "pilot"),
            ("northwind", "broad"),
            ("tailspin", "broad"),
            ("wingtip", "broad"),
        ]
    )
)
BY_NAME = {t.name: t for t in TENANTS}

BASELINE = """\
apiVersion: reconciler/v1
kind: SettingsCatalogPolicy
metadata:
  name: office-macros
spec:
  name: Office - block internet macros
  description: Macros from the internet are blocked for ${var.orgName}
  platforms: windows10
  technologies: mdm
  settings: {file: settings/office-macros.json}
  assignments:
    - target: group
      groupId: {displayName: Helpdesk}
    - target: exclusionGroup
      groupId: ${var.excludedGroup}
---
apiVersion: reconciler/v1
kind: SettingsCatalogPolicy
metadata:
  name: outlook-pilot
spec:
  name: Office - Outlook pilot
  platforms: windows10
  technologies: mdm
  settings: {file: settings/office-macros.json}
"""

OVERLAY = """\
apiVersion: reconciler/v1
kind: SettingsCatalogPolicy
metadata:
  name: office-macros
spec:
  name: Office - block internet macros
  description: Contoso keeps its own copy (overlay)
  platforms: windows10
  technologies: mdm
  settings: {file: ../../baseline/settings/office-macros.json}
"""


def fleet_text(tenants: Sequence[FleetTenant], *, extra: Mapping[str, str] | None = None) -> str:
    """The fleet file; the first tenant has the overlay and excludes outlook-pilot;
    `extra` adds `key: value` lines (already YAML) to a tenant's entry by name."""
    lines = [
        "apiVersion: reconciler/v1",
        "kind: Fleet",
        "metadata: {name: msp}",
        "spec:",
        "  baseline: [baseline/]",
        "  variables:",
        "    excludedGroup: {type: guid}",
        '    orgName: {type: string, default: "the fleet"}',
        "  tenants:",
    ]
    for index, tenant in enumerate(tenants):
        lines += [
            f"    - name: {tenant.name}",
            f"      tenantId: {tenant.tenant_id}",
            f"      ring: {tenant.ring}",
            f"      values: {{excludedGroup: {tenant.excluded_group}}}",
        ]
        if index == 0:
            lines += [
                f"      overlays: [tenants/{tenant.name}/]",
                "      exclude: [SettingsCatalogPolicy/outlook-pilot]",
            ]
        if extra and tenant.name in extra:
            lines.append(f"      {extra[tenant.name]}")
    return "\n".join(lines) + "\n"


def write_fleet(
    root: Path,
    tenants: Sequence[FleetTenant] = TENANTS,
    *,
    extra: Mapping[str, str] | None = None,
) -> Path:
    """The fleet folder under `root`; returns the fleet file's path."""
    folder = root / "fleet"
    (folder / "baseline" / "settings").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SETTINGS, folder / "baseline" / "settings" / "office-macros.json")
    (folder / "baseline" / "policies.yaml").write_text(BASELINE, encoding="utf-8")
    overlay = folder / "tenants" / tenants[0].name
    overlay.mkdir(parents=True, exist_ok=True)
    (overlay / "macros.yaml").write_text(OVERLAY, encoding="utf-8")
    (folder / "fleet.yaml").write_text(fleet_text(tenants, extra=extra), encoding="utf-8")
    return folder / "fleet.yaml"


def seeds(tenants: Sequence[FleetTenant] = TENANTS) -> dict[str, Any]:
    """Each tenant's own Helpdesk group (and a group nobody names)."""
    return {
        t.tenant_id: {
            "groups": [
                {"id": t.helpdesk, "displayName": "Helpdesk"},
                {"displayName": "Finance"},
            ]
        }
        for t in tenants
    }


def start(make_emulator: Any, tls: Any, tenants: Sequence[FleetTenant] = TENANTS, **options: Any):
    return make_emulator(
        tenants=tuple(t.tenant_id for t in tenants),
        client_id=APP,
        client_secret=SECRET,
        token_roles=ROLES,
        seeds=options.pop("seeds", seeds(tenants)),
        tls=tls,
        **options,
    )


def secret_env(emulator: Any, **more: str) -> dict[str, str]:
    """The environment of a fleet run with the one app registration's client secret."""
    return {
        "AZURE_CLIENT_ID": APP,
        "AZURE_CLIENT_SECRET": SECRET,
        "AZURE_AUTHORITY_HOST": emulator.root_url,
        **more,
    }


def token(emulator: Any, tenant_id: str) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": APP,
        "client_secret": SECRET,
        "scope": SCOPE,
    }
    response = requests.post(
        f"{emulator.root_url}/{tenant_id}/oauth2/v2.0/token", data=form, timeout=10
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def policies(emulator: Any, tenant: FleetTenant) -> dict[str, dict[str, Any]]:
    """The tenant's Settings Catalog policies by name, with their assignments."""
    document = emulator.tenants[tenant.tenant_id].snapshot()
    return {p["name"]: p for p in document["configurationPolicies"]}


def portal_edit(emulator: Any, tenant: FleetTenant, name: str, changes: dict[str, Any]) -> None:
    """What an admin does in the portal: a PATCH with that tenant's own token."""
    target = policies(emulator, tenant)[name]
    response = requests.patch(
        f"{emulator.base_url}{POLICIES}/{target['id']}",
        json=changes,
        headers={"Authorization": f"Bearer {token(emulator, tenant.tenant_id)}"},
        timeout=10,
    )
    assert response.status_code in (200, 204), response.text


def portal_create(emulator: Any, tenant: FleetTenant, name: str) -> None:
    body = {
        "name": name,
        "platforms": "windows10",
        "technologies": "mdm",
        "settings": json.loads(SETTINGS.read_text(encoding="utf-8")),
    }
    response = requests.post(
        f"{emulator.base_url}{POLICIES}",
        json=body,
        headers={"Authorization": f"Bearer {token(emulator, tenant.tenant_id)}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def jwt_tid(access_token: str) -> str:
    payload = access_token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["tid"])
