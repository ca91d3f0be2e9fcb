"""`reconciler catalog search TEXT [--kind KIND]`: find setting definitions in the tenant's
catalogs and print each as a manifest entry ready to paste, its allowed values commented.

Each kind with a catalog says how it is searched (`ChildShape.search`): Administrative
Templates filter `groupPolicyDefinitions` on the name and read the presentations of the
hits; the Settings Catalog, whose `$filter` takes little, is read once and matched here.
Exit 0 whether or not anything matched (a search is not a check); 1 on an error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from contextlib import closing
from typing import TYPE_CHECKING, Any

from reconciler.cli.connect import connect, graph_client
from reconciler.cli.exits import EXIT_OK
from reconciler.errors import ConfigError

if TYPE_CHECKING:
    from reconciler.kinds.kind import CatalogRead, Children, ChildShape

ACTIONS = ("search",)


def searchable(wanted: list[str]) -> list[tuple[str, Children]]:
    """(kind, its catalog facet) for the kinds named (default: every kind with a catalog),
    in the registry's order; ConfigError for a name that is none of them."""
    from reconciler.kinds import REGISTRY
    from reconciler.kinds.kind import Children

    found = [
        (kind.kind, facet)
        for kind in REGISTRY
        for facet in kind.facets.values()
        if isinstance(facet, Children) and facet.catalog
    ]
    names = {name.lower(): name for name, _ in found}
    unknown = [w for w in wanted if w.lower() not in names]
    if unknown:
        raise ConfigError(
            f"--kind {unknown[0]}: not a kind with a setting catalog",
            hint=f"Use one of: {', '.join(names.values())}.",
        )
    chosen = {names[w.lower()] for w in wanted}
    return [(name, facet) for name, facet in found if not chosen or name in chosen]


def run(args: argparse.Namespace) -> int:
    from reconciler.fetch.catalog import read_catalog
    from reconciler.kinds.kind import SEARCH_LIMIT

    text = args.text.strip()
    if not text:
        raise ConfigError("catalog search: the text to search for is empty")
    kinds = searchable(args.kind)
    connection = connect(args)
    with closing(graph_client(args, connection)) as client:
        results = []
        for name, facet in kinds:
            shape = facet.shape

            def wanted(found: Mapping[str, Any], shape: ChildShape = shape) -> list[CatalogRead]:
                return shape.search(text, found)[0]

            found = read_catalog(client, wanted)
            results.append((name, facet, shape.search(text, found)[1]))
    for name, facet, hits in results:
        shown = hits[:SEARCH_LIMIT]
        print(f"## {name}: {len(hits)} definition(s) in {facet.catalog} match {text!r}")
        for hit in shown:
            print()
            print("\n".join(hit.lines))
        if len(hits) > len(shown):
            print(f"\n# ... and {len(hits) - len(shown)} more: narrow the search")
        print()
    print(
        "Paste an entry under a manifest's spec.settings; plan checks it against the catalog.",
        file=sys.stderr,
    )
    return EXIT_OK
