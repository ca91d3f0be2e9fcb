"""What the Intune kinds share: assignment targets with filters (Intune's
`deviceAndAppManagementAssignmentTarget` family) and the flags enums of policies.

Facts: `../shared/graph-intune/admin-templates-assignments-peers.md` Part B.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.kinds.kind import Assignments, Target

TARGET_TYPES = {
    Target.GROUP: "#microsoft.graph.groupAssignmentTarget",
    Target.EXCLUSION_GROUP: "#microsoft.graph.exclusionGroupAssignmentTarget",
    Target.ALL_DEVICES: "#microsoft.graph.allDevicesAssignmentTarget",
    Target.ALL_LICENSED_USERS: "#microsoft.graph.allLicensedUsersAssignmentTarget",
}


def assignments(*, expand: bool, list_expand: bool = False) -> Assignments:
    """Intune's `assign` (replace-all) with every target and filters; `expand`: read inline
    with the object (`$expand=assignments`) instead of from `{item}/assignments`;
    `list_expand`: the collection's list expands them too."""
    return Assignments(
        list_segment="assignments",
        action="assign",
        body_key="assignments",
        targets=TARGET_TYPES,
        filters=True,
        expand=expand,
        list_expand=list_expand,
    )


def flags_problem(value: str, allowed: Iterable[str]) -> str | None:
    """Why `value` is not a Graph flags-enum value ("mdm" or "mdm,appleRemoteManagement"),
    or None when it is one. Graph writes the members comma-separated, without spaces."""
    names = list(allowed)
    members = value.split(",")
    unknown = [m for m in members if m not in names]
    if not value or unknown:
        shown = f"'{unknown[0]}'" if unknown and unknown[0] else "an empty member"
        return f"{shown} is not one of {', '.join(names)} (several are joined with ',')"
    if len(set(members)) != len(members):
        return "a member is given twice"
    return None
