"""The CSDL types the emulator serves, and validation of request bodies against them.

Pure functions: each ``validate_*`` takes a decoded JSON body and returns the cleaned
values to store, or raises a 400 :class:`ApiError`. Rules (graph-spec §1, §6):

- Only the CSDL properties of a type are accepted; any other property is a 400.
- ``@odata.type`` is compared without its leading ``#`` (the docs samples omit it in
  nested values) but is case-sensitive, as Intune is.
- Instance and property annotations (``@odata.context``, ``x@odata.mediaContentType``)
  are tolerated and dropped, so a client may send back what it read.
- ``id`` is tolerated on input: ignored on create, and on update it must equal the
  addressed id (it is read-only).
- Complex values (``userCheckinSummary``, ``checkinStatuses`` items, ``target``) are
  checked property by property and then stored verbatim, nested ``@odata.type`` and
  all, because the seed responses echo them that way.
- Stream properties are accepted as a string (kept exactly as sent, see ``store``) or null.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from reconciler.emulator.errors import bad_request

NS = "microsoft.graph."
SINGLETON_TYPE = "#microsoft.graph.officeConfiguration"
ABSTRACT_POLICY_TYPE = "#microsoft.graph.officeClientConfiguration"
POLICY_TYPES = (
    "#microsoft.graph.windowsOfficeClientConfiguration",
    "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
)
ASSIGNMENT_TYPE = "#microsoft.graph.officeClientConfigurationAssignment"
ABSTRACT_TARGET_TYPE = "#microsoft.graph.officeConfigurationAssignmentTarget"
GROUP_TARGET_TYPE = "#microsoft.graph.officeConfigurationGroupAssignmentTarget"
CHECKIN_STATUS_TYPE = "#microsoft.graph.officeClientCheckinStatus"
USER_SUMMARY_TYPE = "#microsoft.graph.officeUserCheckinSummary"

STREAM_PROPERTIES = ("policyPayload", "userPreferencePayload")
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

Checker = Callable[[Any, str], None]


def same_type(given: str, expected: str) -> bool:
    return given.lstrip("#") == expected.lstrip("#")


def _fail(where: str, expected: str, value: Any) -> None:
    raise bad_request(
        f"Invalid value for '{where}': expected {expected}, got {type(value).__name__}."
    )


def _string(nullable: bool = True) -> Checker:
    def check(value: Any, where: str) -> None:
        if value is None and nullable:
            return
        if not isinstance(value, str):
            _fail(where, "Edm.String", value)

    return check


def _boolean(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        _fail(where, "Edm.Boolean (not nullable)", value)


def _int32(value: Any, where: str) -> None:
    # bool is an int subclass in Python but never an Edm.Int32 in JSON.
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(where, "Edm.Int32 (not nullable)", value)
    if not INT32_MIN <= value <= INT32_MAX:
        raise bad_request(f"Invalid value for '{where}': {value} is outside the Edm.Int32 range.")


def _datetime(value: Any, where: str) -> None:
    if not isinstance(value, str):
        _fail(where, "Edm.DateTimeOffset (not nullable)", value)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise bad_request(
            f"Invalid value for '{where}': '{value}' is not a DateTimeOffset."
        ) from None


def _collection(item: Checker) -> Checker:
    def check(value: Any, where: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            _fail(where, "a collection", value)
        for index, element in enumerate(value):
            item(element, f"{where}[{index}]")

    return check


def _is_annotation(key: str) -> bool:
    return "@" in key and key != "@odata.type"


def check_properties(body: Any, properties: Mapping[str, Checker], *, where: str) -> dict[str, Any]:
    """Check a JSON object against known properties; return them without annotations.

    ``@odata.type`` and ``id`` are left in the result for the caller to judge.
    """
    if not isinstance(body, dict):
        raise bad_request(f"Invalid value for '{where}': expected a JSON object.")
    clean: dict[str, Any] = {}
    for key, value in body.items():
        if _is_annotation(key):
            continue
        if key in ("@odata.type", "id"):
            _string(nullable=False)(value, f"{where}.{key}" if where else key)
            clean[key] = value
            continue
        checker = properties.get(key)
        if checker is None:
            name = f"{where}.{key}" if where else key
            raise bad_request(f"Property '{name}' does not exist on the type or is not writable.")
        checker(value, f"{where}.{key}" if where else key)
        clean[key] = value
    return clean


def _complex(type_name: str, properties: Mapping[str, Checker]) -> Checker:
    """A nullable complex value of exactly ``type_name`` (no derived types exist for these)."""

    def check(value: Any, where: str) -> None:
        if value is None:
            return
        clean = check_properties(value, properties, where=where)
        given = clean.get("@odata.type")
        if given is not None and not same_type(given, type_name):
            raise bad_request(f"Invalid @odata.type '{given}' for '{where}'; expected {type_name}.")
        if "id" in clean:
            raise bad_request(f"Property '{where}.id' does not exist on the type.")

    return check


CHECKIN_STATUS = _complex(
    CHECKIN_STATUS_TYPE,
    {
        "userPrincipalName": _string(),
        "deviceName": _string(),
        "devicePlatform": _string(),
        "devicePlatformVersion": _string(),
        "wasSuccessful": _boolean,
        "userId": _string(nullable=False),
        "checkinDateTime": _datetime,
        "errorMessage": _string(),
        "appliedPolicies": _collection(_string()),
    },
)
USER_SUMMARY = _complex(
    USER_SUMMARY_TYPE, {"succeededUserCount": _int32, "failedUserCount": _int32}
)

SINGLETON_PROPERTIES: dict[str, Checker] = {
    "tenantCheckinStatuses": _collection(CHECKIN_STATUS),
    "tenantUserCheckinSummary": USER_SUMMARY,
}
POLICY_PROPERTIES: dict[str, Checker] = {
    "displayName": _string(),
    "description": _string(),
    "priority": _int32,
    "policyPayload": _string(),
    "userPreferencePayload": _string(),
    "userCheckinSummary": USER_SUMMARY,
    "checkinStatuses": _collection(CHECKIN_STATUS),
}
TARGET_PROPERTIES: dict[str, Checker] = {"groupId": _string()}


def _refuse_navigation(body: dict[str, Any], name: str) -> None:
    if name in body:
        raise bad_request(
            f"Navigation property '{name}' cannot be written through its parent; "
            "use its own URL or action."
        )


def _check_read_only_id(clean: dict[str, Any], current_id: str | None) -> None:
    given = clean.pop("id", None)
    if given is not None and given != current_id:
        raise bad_request(f"Property 'id' is read-only and cannot be changed to '{given}'.")


def validate_singleton_patch(body: Any, current_id: str) -> dict[str, Any]:
    if isinstance(body, dict):
        _refuse_navigation(body, "clientConfigurations")
    clean = check_properties(body, SINGLETON_PROPERTIES, where="")
    given = clean.pop("@odata.type", None)
    if given is not None and not same_type(given, SINGLETON_TYPE):
        raise bad_request(f"Invalid @odata.type '{given}'; expected {SINGLETON_TYPE}.")
    _check_read_only_id(clean, current_id)
    return clean


def validate_policy_create(body: Any) -> tuple[str, dict[str, Any]]:
    """Return the concrete ``@odata.type`` (``#``-prefixed) and the properties to store."""
    if isinstance(body, dict):
        _refuse_navigation(body, "assignments")
    clean = check_properties(body, POLICY_PROPERTIES, where="")
    given = clean.pop("@odata.type", None)
    if given is None:
        raise bad_request(
            "An @odata.type is required: officeClientConfiguration is abstract. Use one of "
            + ", ".join(POLICY_TYPES)
            + "."
        )
    odata_type = _concrete_policy_type(given)
    clean.pop("id", None)  # the server assigns ids
    if "priority" not in clean:
        raise bad_request("Property 'priority' is required (Edm.Int32, not nullable).")
    return odata_type, clean


def _concrete_policy_type(given: str) -> str:
    for concrete in POLICY_TYPES:
        if same_type(given, concrete):
            return concrete
    if same_type(given, ABSTRACT_POLICY_TYPE):
        raise bad_request(f"Cannot create an instance of the abstract type '{given}'.")
    raise bad_request(f"Unknown or unsupported @odata.type '{given}' for clientConfigurations.")


def validate_policy_patch(body: Any, *, current_type: str, current_id: str) -> dict[str, Any]:
    if isinstance(body, dict):
        _refuse_navigation(body, "assignments")
    clean = check_properties(body, POLICY_PROPERTIES, where="")
    given = clean.pop("@odata.type", None)
    if given is not None and not same_type(given, current_type):
        raise bad_request(
            f"The @odata.type of an existing object cannot change (it is {current_type}, "
            f"the request says {given}); delete it and create a new one."
        )
    _check_read_only_id(clean, current_id)
    return clean


def validate_target(value: Any, where: str) -> dict[str, Any]:
    """A concrete assignment target: only the group target exists (graph-spec §1.4)."""
    if value is None:
        raise bad_request(f"Property '{where}' is required.")
    clean = check_properties(value, TARGET_PROPERTIES, where=where)
    given = clean.get("@odata.type")
    if given is None or same_type(given, ABSTRACT_TARGET_TYPE):
        raise bad_request(
            f"'{where}' needs a concrete @odata.type: {GROUP_TARGET_TYPE} "
            "(officeConfigurationAssignmentTarget is abstract)."
        )
    if not same_type(given, GROUP_TARGET_TYPE):
        raise bad_request(f"Unknown @odata.type '{given}' for '{where}'.")
    if "id" in clean:
        raise bad_request(f"Property '{where}.id' does not exist on the type.")
    return dict(value)


def validate_assignment(
    body: Any, *, where: str = "", current_id: str | None = None
) -> dict[str, Any]:
    """Return the target of an assignment body; ``id`` is ignored on create."""
    clean = check_properties(body, {"target": lambda value, path: None}, where=where)
    given = clean.get("@odata.type")
    if given is not None and not same_type(given, ASSIGNMENT_TYPE):
        raise bad_request(f"Invalid @odata.type '{given}'; expected {ASSIGNMENT_TYPE}.")
    if current_id is not None:
        _check_read_only_id(clean, current_id)
    prefix = f"{where}." if where else ""
    return validate_target(clean.get("target"), f"{prefix}target")


def validate_assign_action(body: Any) -> list[dict[str, Any]]:
    clean = check_properties(
        body, {"officeConfigurationAssignments": lambda value, path: None}, where=""
    )
    items = clean.get("officeConfigurationAssignments")
    if not isinstance(items, list):
        raise bad_request("Parameter 'officeConfigurationAssignments' must be a collection.")
    return [
        validate_assignment(item, where=f"officeConfigurationAssignments[{index}]")
        for index, item in enumerate(items)
    ]


def validate_update_priorities(body: Any) -> list[tuple[str, int]]:
    """The parallel arrays of the action as (id, priority) pairs; ids must be distinct."""
    clean = check_properties(
        body,
        {
            "officeConfigurationPolicyIds": _collection(_string(nullable=False)),
            "officeConfigurationPriorities": _collection(_int32),
        },
        where="",
    )
    ids = clean.get("officeConfigurationPolicyIds")
    priorities = clean.get("officeConfigurationPriorities")
    if ids is None or priorities is None:
        raise bad_request(
            "Parameters 'officeConfigurationPolicyIds' and 'officeConfigurationPriorities' are required."
        )
    if len(ids) != len(priorities):
        raise bad_request(
            "'officeConfigurationPolicyIds' and 'officeConfigurationPriorities' must have the same length."
        )
    if len(set(ids)) != len(ids):
        raise bad_request("'officeConfigurationPolicyIds' lists a policy more than once.")
    return list(zip(ids, priorities, strict=True))
