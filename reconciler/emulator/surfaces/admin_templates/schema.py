"""The ``groupPolicyConfiguration`` type, the type model of the surface, and validation of
profile bodies (POST and PATCH, peers §A.2).

- Writable: ``displayName`` (required on POST, a string), ``description`` (null when left
  out), ``roleScopeTagIds`` (``["0"]`` when left out). Read-only properties sent back (``id``
  equal to the addressed one, ``createdDateTime``, ``lastModifiedDateTime``) are tolerated and
  ignored; annotations are dropped; any other property is a ``ModelValidationFailure``.
- ``policyConfigurationIngestionType`` is server-set: a body carrying it is refused (the docs'
  examples send it, but TFP treats it as read-only and IntuneManagement strips it before
  every import, so a client must not rely on writing it).
- ``definitionValues`` and ``assignments`` cannot be written with the profile: values go
  through ``updateDefinitionValues`` (or ``POST .../definitionValues``), assignments through
  ``assign``.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.errors import bad_request
from reconciler.emulator.surfaces.admin_templates import catalog
from reconciler.emulator.surfaces.intune import assignments, model

CONFIGURATION = "microsoft.graph.groupPolicyConfiguration"
DEFINITION_VALUE = "microsoft.graph.groupPolicyDefinitionValue"
PRESENTATION_VALUE = "microsoft.graph.groupPolicyPresentationValue"
ASSIGNMENT = "microsoft.graph.groupPolicyConfigurationAssignment"
KEY_VALUE = "microsoft.graph.keyValuePair"
VALUE_TYPES = tuple(sorted({v for v in catalog.VALUE_TYPES.values() if v}))
PRESENTATION_TYPES = tuple(catalog.VALUE_TYPES)

TYPES = model.Model(
    {
        CONFIGURATION: model.TypeInfo(None),
        DEFINITION_VALUE: model.TypeInfo(None),
        ASSIGNMENT: model.TypeInfo(None),
        KEY_VALUE: model.TypeInfo(None),
        catalog.DEFINITION: model.TypeInfo(None),
        catalog.CATEGORY: model.TypeInfo(None),
        **model.hierarchy(
            PRESENTATION_VALUE, *(model.NS + t for t in VALUE_TYPES), abstract=[PRESENTATION_VALUE]
        ),
        catalog.PRESENTATION: model.TypeInfo(None),
        catalog.UPLOADED_PRESENTATION: model.TypeInfo(catalog.PRESENTATION),
        **{model.NS + t: model.TypeInfo(catalog.UPLOADED_PRESENTATION) for t in PRESENTATION_TYPES},
        **assignments.TARGET_TYPES,
    }
)

INGESTION_TYPES = ("unknown", "custom", "builtIn", "mixed", "unknownFutureValue")
CONFIGURATION_TYPES = ("policy", "preference")
PROPERTIES = (
    "createdDateTime", "displayName", "description", "roleScopeTagIds",
    "policyConfigurationIngestionType", "id", "lastModifiedDateTime",
)  # fmt: skip  # the order Graph answers in (observed), and the $select set
READ_ONLY = ("id", "createdDateTime", "lastModifiedDateTime")
NAVIGATIONS = ("definitionValues", "assignments")


def _clean(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    TYPES.resolve(body, CONFIGURATION)
    clean = model.clean_object(body, PROPERTIES + NAVIGATIONS, CONFIGURATION, where="")
    if "policyConfigurationIngestionType" in clean:
        raise bad_request(
            "'policyConfigurationIngestionType' is set by the service; the emulator refuses it "
            "in a request body (tools strip it before writing a profile)."
        )
    if "definitionValues" in clean:
        raise bad_request(
            "The navigation property 'definitionValues' cannot be written with the profile; "
            "use POST .../updateDefinitionValues."
        )
    if "assignments" in clean:
        raise bad_request(
            "The navigation property 'assignments' cannot be written with the profile; "
            "use POST .../assign."
        )
    return clean


def _metadata(clean: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "displayName" in clean:
        name = model.string(clean["displayName"], "displayName")
        if name is None:
            raise bad_request("Property 'displayName' cannot be null.")
        values["displayName"] = name
    if "description" in clean:
        values["description"] = model.string(clean["description"], "description")
    if "roleScopeTagIds" in clean:
        values["roleScopeTagIds"] = model.role_scope_tags(clean["roleScopeTagIds"])
    return values


def validate_create(body: Any) -> dict[str, Any]:
    values = _metadata(_clean(body))
    if "displayName" not in values:
        raise bad_request("Property 'displayName' is required.")
    values.setdefault("description", None)
    values.setdefault("roleScopeTagIds", ["0"])
    return values


def validate_patch(body: Any, current_id: str) -> dict[str, Any]:
    clean = _clean(body)
    model.check_id(clean, current_id)
    return _metadata(clean)
