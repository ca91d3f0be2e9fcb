"""The error vocabulary. Every failure a user can meet is one of these.

    ReconcilerError                 exit 1, printed as one line (plus hint) by the cli
    ├── ManifestError               bad desired state; carries every ManifestIssue found
    ├── PlanError                   cannot make a plan (ambiguous identity, ...)
    ├── PlanFileError               saved plan unreadable, wrong version, checksum
    │   └── StalePlanError          the tenant changed since the plan was made
    ├── ConfigError                 bad flags / environment (e.g. http:// to a remote host)
    ├── AuthError                   cannot obtain or use credentials
    ├── FileWriteError              an output file (plan, report, export) cannot be written
    └── GraphError                  an HTTP exchange with Graph failed (after retries)
        ├── GraphTransportError     timeout, connection reset, TLS
        │   └── NotSentError        interrupted before the request went out
        ├── GraphResponseError      the server answered with garbage (not JSON, bad shape)
        └── GraphHTTPError          the server answered with an error status
            ├── BadRequestError         400
            ├── UnauthorizedError       401
            ├── ForbiddenError          403
            ├── NotFoundError           404
            ├── ThrottledError          429 (retries exhausted)
            └── ServerError             5xx (retries exhausted)

Errors are translated once, at the edge that met them (HTTP in fetch, files in files.py),
and reach the user once, in cli. Apply failures are not raised: they are the outcomes of an
`ApplyResult`.
Messages never contain secrets: only Graph codes, messages and request ids.
"""

from __future__ import annotations

from dataclasses import dataclass


def printable(text: str) -> str:
    """`text` with line breaks, control and invisible format characters escaped as Python
    writes them (a newline as \\n, a right-to-left override as \\u202e), so a name or key
    from hostile input can neither break an error line, forge another, nor hide in one."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ReconcilerError(Exception):
    """Base of every expected failure. `hint` is the next step shown to the user."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(printable(message))
        if hint:
            self.hint = printable(hint)


@dataclass(frozen=True)
class ManifestIssue:
    """One problem in the desired state, located as precisely as we can."""

    file: str
    line: int | None
    column: int | None
    path: str  # dotted field path, e.g. "spec.priority"; "" for the whole document
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f"{_cap(self.path, 200)}: " if self.path else ""
        return printable(f"{where}: {field}{_cap(self.message, 400)}")


def _cap(text: str, limit: int) -> str:
    """Keep an issue on one readable line, whatever a hostile manifest put in a key or value."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ManifestError(ReconcilerError):
    def __init__(self, issues: list[ManifestIssue]) -> None:
        self.issues = sorted(
            issues, key=lambda i: (i.file, i.line or 0, i.column or 0, i.path, i.message)
        )
        count = len(self.issues)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in manifests")


class PlanError(ReconcilerError):
    pass


class PlanFileError(ReconcilerError):
    pass


class StalePlanError(PlanFileError):
    hint = "Run reconciler plan again."


class ConfigError(ReconcilerError):
    pass


class AuthError(ReconcilerError):
    pass


class FileWriteError(ReconcilerError):
    pass


class GraphError(ReconcilerError):
    """`maybe_applied` is True when a non-idempotent write failed ambiguously (timeout, dropped
    connection, 5xx): Graph may have carried it out, so the caller must re-read before retrying."""

    maybe_applied: bool = False


class GraphTransportError(GraphError):
    pass


class NotSentError(GraphTransportError):
    """Not sent: the run was interrupted (a signal) before this request went out."""


class GraphResponseError(GraphError):
    pass


class GraphHTTPError(GraphError):
    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str = "",
        request_id: str = "",
        method: str = "",
        url: str = "",
        hint: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.graph_message = message
        self.raw_message = ""  # Intune's JSON-inside-`message`, kept verbatim when unpacked
        self.request_id = request_id
        self.method = method
        self.url = url
        where = f"{method} {url}: " if method else ""
        rid = f" (request-id {request_id})" if request_id else ""
        code_part = f"{code}: " if code else ""
        super().__init__(f"{where}HTTP {status} {code_part}{message}{rid}", hint=hint)


class BadRequestError(GraphHTTPError):
    pass


class UnauthorizedError(GraphHTTPError):
    hint = "Check the credentials (RECONCILER_TOKEN or --auth)."


class ForbiddenError(GraphHTTPError):
    hint = "The app needs DeviceManagementConfiguration.ReadWrite.All (or .Read.All to read)."


class NotFoundError(GraphHTTPError):
    pass


class ThrottledError(GraphHTTPError):
    hint = (
        "Graph kept throttling for longer than --max-wait; try again later, allow a longer "
        "--max-wait, or lower --budget (other tools are sharing the tenant's limits)."
    )


class ServerError(GraphHTTPError):
    hint = "Graph is failing; try again later."


STATUS_ERRORS: dict[int, type[GraphHTTPError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    429: ThrottledError,
}


def http_error_class(status: int) -> type[GraphHTTPError]:
    if status >= 500:
        return ServerError
    return STATUS_ERRORS.get(status, GraphHTTPError)
