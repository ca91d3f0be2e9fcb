"""Answers Intune's services give outside the OData model: a request no route template of
the service matches (observed on ``configurationPolicies/{id}/settings/{sid}``, settings-catalog
§6.1, and on ``POST /deviceManagement/groupPolicyCategories``, microsoft-graph-docs-contrib#31).
The message quotes the service-internal path, whose tenant segment each surface supplies."""

from __future__ import annotations

from reconciler.emulator.errors import ApiError


def no_route(template: str, method: str, service_path: str) -> ApiError:
    return ApiError(
        400,
        "No method match route template",
        f"No OData route exists that match template {template} with http verb {method} "
        f"for request {service_path}.",
    )
