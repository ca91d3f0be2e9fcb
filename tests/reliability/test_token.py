"""Aspect: the bearer token never leaves the Graph host. A Graph server answers with
`@odata.nextLink`s, redirects, `$batch` sub-responses and `Location` headers that point at a
second local server, which records whatever reaches it; with RECONCILER_TOKEN set, plan and
apply must never send it a request, let alone an Authorization header. The Graph server
itself must see the token (so the check could fail), and no output may print it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.cli import cli_run
from tests.support.manifests import manifest, write_manifests

from .garbage import (
    BATCH,
    ITEM,
    LIST,
    POLICIES,
    GarbageServer,
    Reply,
    Route,
    answer_batch,
    garbage_server,
    json_reply,
)
from .support import environ

TOKEN = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJyZWxpYWJpbGl0eSJ9.c2VjcmV0LXNpZ25hdHVyZQ"


def to(other: GarbageServer, path: str = "/beta/officeConfiguration/clientConfigurations") -> str:
    return other.root_url + path


def redirect(status: int, location: str) -> Reply:
    return Reply(status, b"", (("Location", location),))


# name -> routes for the Graph server, given the other server
Leak = Callable[[GarbageServer], dict[str, Route]]
LEAKS: dict[str, Leak] = {
    "nextLink to another port": lambda o: {
        LIST: json_reply({"value": [], "@odata.nextLink": to(o)})
    },
    "nextLink to another loopback name": lambda o: {
        LIST: json_reply({"value": [], "@odata.nextLink": to(o).replace("127.0.0.1", "localhost")})
    },
    "scheme-relative nextLink": lambda o: {
        LIST: json_reply({"value": [], "@odata.nextLink": to(o).removeprefix("http:")})
    },
    "nextLink after a first page": lambda o: {
        LIST: lambda seen: json_reply(
            {"value": [ITEM], "@odata.nextLink": to(o)}
            if "page=2" in seen.path
            else {"value": [], "@odata.nextLink": f"http://{seen.headers['host']}{POLICIES}?page=2"}
        )
    },
    "302 on a list": lambda o: {LIST: redirect(302, to(o))},
    "307 on the singleton": lambda o: {
        "GET /beta/officeConfiguration": redirect(307, to(o, "/beta/officeConfiguration"))
    },
    "308 on $batch": lambda o: {
        LIST: json_reply({"value": [ITEM]}),
        BATCH: redirect(308, to(o, "/beta/$batch")),
    },
    "307 on a create": lambda o: {
        f"POST {POLICIES}": redirect(307, to(o)),
    },
    "a create's Location header": lambda o: {
        f"POST {POLICIES}": Reply(
            201,
            b'{"id": "6c2b7d1e-9a4f-4e8b-b3d5-2f1a0c9e8d7b"}',
            (("Content-Type", "application/json"), ("Location", to(o))),
        ),
    },
    "nextLink in a $batch sub-response": lambda o: {
        LIST: json_reply({"value": [ITEM]}),
        BATCH: answer_batch(
            lambda item: {"status": 200, "body": {"value": [], "@odata.nextLink": to(o)}}
        ),
    },
    "302 as a $batch sub-response": lambda o: {
        LIST: json_reply({"value": [ITEM]}),
        BATCH: answer_batch(lambda item: {"status": 302, "headers": {"Location": to(o)}}),
    },
}


@pytest.fixture
def other() -> Iterator[GarbageServer]:
    with garbage_server() as server:
        yield server


@pytest.mark.parametrize("command", ["plan", "apply"])
@pytest.mark.parametrize("leak", list(LEAKS))
def test_the_token_stays_with_the_graph_host(tmp_path: Path, other, leak, command):
    root = write_manifests(tmp_path / "m", [manifest("fresh", "Fresh", 1, description="x")])
    argv: list[str | Path] = [command, root]
    if command == "apply":
        argv += ["--auto-approve", "--state-dir", tmp_path / "s", "--write-rate", "0"]
    with garbage_server(LEAKS[leak](other)) as graph, environ(RECONCILER_TOKEN=TOKEN):
        result = cli_run(*argv, "--graph-url", graph.base_url)
    assert other.seen == [], f"a request reached the other host: {other.seen[0]}"
    assert graph.authorizations() and set(graph.authorizations()) == {f"Bearer {TOKEN}"}
    assert TOKEN not in result.out + result.err
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
