"""The document around a spec: apiVersion, kind and metadata. The spec itself is validated
by its kind's model (`reconciler.kinds`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from reconciler.kinds.fields import NAME_PATTERN, JsonPointer, NonEmpty, StrictModel


class Metadata(StrictModel):
    name: (
        Annotated[
            str, StringConstraints(min_length=1, max_length=253, pattern=NAME_PATTERN, strict=True)
        ]
        | None
    ) = Field(default=None, description="unique per kind; not needed for OfficeConfiguration")
    id: NonEmpty | None = Field(default=None, description="pins a live object by its Graph id")
    ignore: list[JsonPointer] = Field(
        default_factory=list, description="JSON pointers into spec that are never diffed"
    )


class Envelope(StrictModel):
    """The document around a spec; the spec itself is validated by its kind's model."""

    apiVersion: Literal["reconciler/v1"]
    kind: str
    metadata: Metadata = Field(default_factory=Metadata)
    spec: dict[str, Any]
