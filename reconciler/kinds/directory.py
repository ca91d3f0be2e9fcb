"""The part of the Entra ID directory a manifest may point into: groups named by their
`displayName` (a fleet's manifests, where a group's id differs in each tenant).

Facts (learn.microsoft.com `graph/api/group-list`): `GET /groups?$filter=displayName eq
'NAME'` lists the groups of that name, the comparison ignoring case; a quote in a string
literal is written twice; reading groups needs `Group.Read.All` (or a broader directory
permission).
"""

from __future__ import annotations

from urllib.parse import quote

GROUPS = "/groups"
NAME = "displayName"  # a group's name
# Where a manifest names a group (assignment targets): `groupId: <id>`, or in a fleet
# `groupId: {displayName: <name>}`, resolved in each tenant.
REFERENCE = "groupId"
READ_PERMISSION = "Group.Read.All"
# Permissions that include reading groups (graph permissions reference).
READ_IMPLIED_BY = frozenset(
    {
        "Group.Read.All",
        "Group.ReadWrite.All",
        "GroupMember.Read.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    }
)


def by_name(name: str) -> str:
    """The relative URL that lists the groups named `name` (ids and names only)."""
    literal = "'" + name.replace("'", "''") + "'"
    return f"{GROUPS}?$filter={quote(f'{NAME} eq {literal}')}&$select=id,{NAME}"
