"""``clusterkg network …``: the derived collaboration networks from the terminal.

* ``network summary`` — each tie network's size, density, communities, modularity and cross-border
  share, and its most central organisations (``--top N --by METRIC``);
* ``network export`` — a filtered view as GraphML, GEXF, Cytoscape JSON or CSV node / edge lists
  (the same views as ``/api/network``);
* ``network recompute`` — recompute the graph of computed statements (every load does it too).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clusterkg.core.errors import ClusterkgError
from clusterkg.core.settings import Settings
from clusterkg.core.store import open_store, publish_snapshot

_SUMMARY = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?network ?label ?organisations ?ties ?density ?communities ?modularity ?crossBorder WHERE { GRAPH <%s> {
  ?network a ckg:TieNetwork ; skos:prefLabel ?label ; ckg:organisationCount ?organisations ; ckg:tieCount ?ties ;
      ckg:density ?density ; ckg:communityCount ?communities ; ckg:modularity ?modularity .
  OPTIONAL { ?network ckg:crossBorderShare ?crossBorder }
} } ORDER BY ?network"""

_TOP = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?org ?name ?value WHERE {
  GRAPH <%s> { ?p ckg:inTieNetwork <%s> ; ckg:positionOf ?org ; ckg:%s ?value . }
  OPTIONAL { ?org skos:prefLabel ?name FILTER(lang(?name) = "en") }
} ORDER BY DESC(?value) ?org LIMIT %d"""

METRIC_PROPERTIES = {"degree": "degree", "weightedDegree": "weightedDegree", "betweenness": "betweenness",
                     "pageRank": "pageRank"}  # fmt: skip


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    from clusterkg.network.derive import TIE_KINDS
    from clusterkg.network.views import FORMATS

    p = sub.add_parser(
        "network",
        parents=[common],
        help="collaboration networks: summary, exports, recompute",
        description="The networks derived from the data (ties: " + ", ".join(TIE_KINDS) + ") and their metrics.",
    )
    actions = p.add_subparsers(dest="network_action", required=True, metavar="ACTION")
    s = actions.add_parser("summary", parents=[common], help="size and metrics of each tie network")
    s.add_argument("--network", default="all", help="tie network for --top: a tie kind or 'all' (default)")
    s.add_argument("--top", type=int, default=5, help="most central organisations to list (default 5)")
    s.add_argument("--by", choices=list(METRIC_PROPERTIES), default="pageRank", help="metric to rank by")
    s.set_defaults(run=_summary)
    e = actions.add_parser("export", parents=[common], help="a filtered view as GraphML, GEXF, JSON or CSV")
    e.add_argument("--format", choices=list(FORMATS), default="graphml")
    e.add_argument("--kind", action="append", default=[], choices=list(TIE_KINDS), help="only ties of this kind")
    e.add_argument("--country", action="append", default=[], metavar="IRI", help="ties with an end in this country")
    e.add_argument("--sector", action="append", default=[], metavar="IRI", help="ties with an end in this sector")
    e.add_argument("--since", type=int, help="ties whose known period reaches this year or later")
    e.add_argument("--until", type=int, help="ties whose known period starts by this year")
    e.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    e.set_defaults(run=_export)
    r = actions.add_parser("recompute", parents=[common], help="recompute the graph of computed statements")
    r.set_defaults(run=_recompute)


def _summary(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.core.namespaces import NETWORK_GRAPH, graph_iri
    from clusterkg.network.computed import tie_network_iri

    graph = graph_iri(settings.base, NETWORK_GRAPH)
    with open_store(settings.store, read_only=True) as store:
        rows = list(store.query(_SUMMARY % graph))  # type: ignore[union-attr]
        if not rows:
            raise ClusterkgError(
                "the store has no computed network yet: load data, or run 'clusterkg network recompute'"
            )
        print(f"{'network':<38} {'orgs':>5} {'ties':>5} {'density':>8} {'comms':>5} {'modul.':>7} {'x-border':>8}")
        for row in rows:
            crossing = row["crossBorder"]
            share = "" if crossing is None else f"{float(crossing.value):.0%}"
            print(
                f"{row['label'].value.removeprefix('Network: '):<38} {row['organisations'].value:>5} "
                f"{row['ties'].value:>5} {float(row['density'].value):>8.3f} {row['communities'].value:>5} "
                f"{float(row['modularity'].value):>7.3f} {share:>8}"
            )
        network = tie_network_iri(settings.base, args.network)
        top = list(store.query(_TOP % (graph, network, METRIC_PROPERTIES[args.by], args.top)))  # type: ignore[union-attr]
        print(f"\nmost central by {args.by} in the network '{args.network}':")
        for row in top:
            name = row["name"].value if row["name"] is not None else row["org"].value
            print(f"  {row['value'].value:>10}  {name}")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.network.views import NetworkFilter, export, view

    wanted = NetworkFilter(tuple(args.kind), tuple(args.country), tuple(args.sector), args.since, args.until)
    with open_store(settings.store, read_only=True) as store:
        data = export(view(store, settings.base, wanted), args.format)
    if args.output is None:
        sys.stdout.buffer.write(data)
        return 0
    try:
        args.output.write_bytes(data)
    except OSError as err:
        raise ClusterkgError(f"{args.output}: cannot write: {err.strerror or err}") from None
    print(f"wrote the network as {args.format} to {args.output}", file=sys.stderr)
    return 0


def _recompute(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.network import recompute_network

    with open_store(settings.store) as store:
        run = recompute_network(store, settings.base, settings.store)
        publish_snapshot(settings.store, store)
    ties = ", ".join(f"{n} {kind}" for kind, n in run.ties.items())
    change = "replaced whole" if run.removed is None else f"{run.removed} deleted, {run.added} added"
    print(f"recomputed the network graph: {run.triples} triples ({change}); ties: {ties}")
    return 0
