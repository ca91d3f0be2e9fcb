"""Routes: a path pattern and its handlers by method, shared by every surface.

A pattern is a path below ``/beta`` with ``{name}`` placeholders: a whole segment
(``/{id}``) or inside one (``configurationPolicies('{id}')``, OData's key syntax, where the
value stops at a quote); it is also the key the stats count a request under. Handlers take a :class:`Request` and the placeholder
values, and return a :class:`Response` or raise :class:`ApiError`; they know nothing about
HTTP connections, auth or faults.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from reconciler.emulator.errors import ApiError, bad_request
from reconciler.emulator.messages import Request, Response

BATCH = "/$batch"

Handler = Callable[[Request, dict[str, str]], Response]


@dataclass(frozen=True)
class Route:
    pattern: str
    methods: Mapping[str, Handler]
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = [_segment(p) for p in self.pattern.split("/")]
        object.__setattr__(self, "regex", re.compile("/".join(parts) + r"\Z"))


def _segment(part: str) -> str:
    if part.startswith("{") and part.endswith("}") and part.count("{") == 1:
        return f"(?P<{part[1:-1]}>[^/]+)"
    pieces = re.split(r"(\{\w+\})", part)
    return "".join(f"(?P<{p[1:-1]}>[^/']+)" if p.startswith("{") else re.escape(p) for p in pieces)


def action_routes(base: str, name: str, handler: Handler, *prefixes: str) -> list[Route]:
    """A bound action under ``base``, also reachable with each namespace prefix
    (``microsoft.graph.assign``), as Graph accepts."""
    return [Route(f"{base}/{prefix}{name}", {"POST": handler}) for prefix in prefixes]


def keyed(pattern: str, methods: dict[str, Handler]) -> list[Route]:
    """Routes for ``pattern`` with each ``/{key}`` segment also in OData's ``('{key}')`` form."""
    segments = pattern.split("/")
    choices: list[list[str]] = []
    for segment in segments:
        if segment.startswith("{"):
            choices.append(["/" + segment, f"('{segment}')"])
        else:
            choices.append([("/" if choices else "") + segment])
    return [Route("".join(parts), methods) for parts in itertools.product(*choices)]


def resolve(routes: Iterable[Route], path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        found = route.regex.match(path)
        if found:
            return route, found.groupdict()
    return None


def unknown_segment(path: str) -> ApiError:
    """Graph's answer to a path it has no resource for (a 400, as the real service gives)."""
    segment = path.rstrip("/").rsplit("/", 1)[-1]
    return bad_request(f"Resource not found for the segment '{segment}'.")


def dispatch(route: Route, params: dict[str, str], request: Request) -> Response:
    handler = route.methods.get(request.method)
    if handler is None:
        allowed = ", ".join(sorted(route.methods))
        raise ApiError(
            405,
            "methodNotAllowed",
            f"{request.method} is not supported on {route.pattern}; allowed: {allowed}.",
            headers={"Allow": allowed},
        )
    return handler(request, params)
