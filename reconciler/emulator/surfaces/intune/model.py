"""An OData type model, as a service resolves ``@odata.type`` in request bodies, and the
error bodies Intune answers when a body does not fit it (graph-intune settings-catalog §6.1).

Intune's device-configuration service resolves type names against its own model only: a
Graph type it does not serve (``androidDeviceOwnerGeneralDeviceConfiguration`` POSTed to
``configurationPolicies``, Micke-K/IntuneManagement#318) is "could not be resolved", a
known type in the wrong place is "not assignable", an abstract one cannot be created. All
three are ``400 ModelValidationFailure`` with the message repeated in ``innerError``.
Type names are compared case-sensitively, with or without the leading ``#``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.errors import ApiError, bad_request

NS = "microsoft.graph."
ZERO_GUID = "00000000-0000-0000-0000-000000000000"


def model_failure(message: str) -> ApiError:
    """Intune's ``ModelValidationFailure``, message repeated in ``innerError``."""
    return ApiError(400, "ModelValidationFailure", message, inner={"message": message})


def unresolved(type_name: str) -> ApiError:
    return model_failure(
        f"A type named '{type_name}' could not be resolved by the model. "
        "When a model is available, each type name must resolve to a valid type."
    )


def not_assignable(given: str, expected: str) -> ApiError:
    return model_failure(
        f"An entry with type '{given}' was found, but it is not assignable to the expected "
        f"type '{expected}'. The type specified in the entry must be equal to either the "
        "expected type or a derived type."
    )


def abstract_type() -> ApiError:
    return model_failure("Cannot create an abstract class.")


def unknown_property(name: str, type_name: str) -> ApiError:
    return model_failure(
        f"The property '{name}' does not exist on type '{type_name}'. Make sure to only use "
        "property names that are defined by the type or mark the type as open type."
    )


def wrong_value(where: str, expected: str, value: Any) -> ApiError:
    shown = value if isinstance(value, str) else type(value).__name__
    return model_failure(
        f"Cannot convert the literal '{shown}' to the expected type '{expected}' ('{where}')."
    )


def action_body(body: Any, parameters: Iterable[str], operation: str) -> dict[str, Any]:
    """The body of a bound action: a JSON object whose members are the action's parameters
    (annotations aside); another member is the OData error for an unknown parameter."""
    if not isinstance(body, dict):
        names = ", ".join(f"'{name}'" for name in parameters)
        raise bad_request(f"The body of {operation} is a JSON object with the parameters {names}.")
    known = set(parameters)
    for key in body:
        if key not in known and "@" not in key:
            raise model_failure(
                f"The parameter '{key}' in the request payload is not a valid parameter for "
                f"the operation '{operation}'."
            )
    return body


def bare(type_name: str) -> str:
    return type_name.removeprefix("#")


@dataclass(frozen=True)
class TypeInfo:
    base: str | None  # bare name of the base type, None for a root
    abstract: bool = False


class Model:
    """Bare type name -> :class:`TypeInfo`; answers which concrete type a body names."""

    def __init__(self, types: Mapping[str, TypeInfo]) -> None:
        self.types = dict(types)

    def derives(self, name: str, ancestor: str) -> bool:
        current: str | None = name
        while current is not None:
            if current == ancestor:
                return True
            current = self.types[current].base
        return False

    def resolve(self, body: Mapping[str, Any], expected: str, *, default: str | None = None) -> str:
        """The concrete bare type of ``body`` at a place typed ``expected``: its
        ``@odata.type``, else ``default``, else ``expected`` itself."""
        given = body.get("@odata.type")
        if given is None:
            name = default or expected
        elif not isinstance(given, str):
            raise wrong_value("@odata.type", "Edm.String", given)
        else:
            name = bare(given)
            if name not in self.types:
                raise unresolved(name)
            if not self.derives(name, expected):
                raise not_assignable(name, expected)
        if self.types[name].abstract:
            raise abstract_type()
        return name


def hierarchy(root: str, *children: str, abstract: Iterable[str] = ()) -> dict[str, TypeInfo]:
    """Types that all derive directly from ``root`` (bare names)."""
    closed = set(abstract)
    types = {root: TypeInfo(None, root in closed)}
    types.update({child: TypeInfo(root, child in closed) for child in children})
    return types


def clean_object(
    body: Any, properties: Iterable[str], type_name: str, *, where: str
) -> dict[str, Any]:
    """A JSON object's properties, instance and property annotations dropped (a client may
    send back what it read); a property the type lacks is a ModelValidationFailure."""
    if not isinstance(body, dict):
        raise wrong_value(where, type_name, body)
    known = set(properties)
    clean: dict[str, Any] = {}
    for key, value in body.items():
        if key == "@odata.type":
            continue
        if "@" in key:
            continue
        if key not in known:
            raise unknown_property(key, type_name)
        clean[key] = value
    return clean


def string(value: Any, where: str, *, nullable: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise wrong_value(where, "Edm.String", value)
    return value


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise wrong_value(where, "Edm.Boolean", value)
    return value


def role_scope_tags(value: Any) -> list[str]:
    """``roleScopeTagIds`` as written: a non-empty collection of strings (null is a 400;
    an empty list is refused, live behaviour unknown)."""
    if value is None:
        raise bad_request('roleScopeTagIds cannot be null; send a collection such as ["0"].')
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise wrong_value("roleScopeTagIds", "Collection(Edm.String)", value)
    if not value:
        raise bad_request(
            "roleScopeTagIds is empty; the emulator refuses it (live behaviour unknown): "
            'leave it out for the default ["0"].'
        )
    return list(value)


def check_id(clean: Mapping[str, Any], current_id: str) -> None:
    """A read-only ``id`` sent back in a body must be the addressed entity's."""
    given = clean.get("id")
    if given is not None and given != current_id:
        raise bad_request(f"Property 'id' is read-only and cannot be changed to '{given}'.")
