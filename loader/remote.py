"""Validated loads (and unloads) into a remote SPARQL 1.1 server, through SPARQL Update.

The same plan as for the embedded store (:func:`clusterkg.loader.loading.plan_load`): the
context is read from the server, the sources are validated against it, and the whole load — the
replaced graphs dropped, the new triples, the load record — goes to the server's update endpoint
as ONE request, so it is one transaction wherever the server makes a request one (Oxigraph server,
Fuseki, GraphDB; Virtuoso runs the request as one statement).

The context is the graphs clusterkg loaded, as the load records in ``{base}graph/loads`` list
them (minus the replaced ones): a server may hold much else (Virtuoso's own system graphs, other
datasets) that is not ours to validate.

What the server's default graph is decides the one adaptation (``mode``):

``merge``
    The default graph is a graph of its own (Oxigraph server, Fuseki with TDB2's default
    configuration). The update is sent as planned: it keeps the default graph the RDF merge of the
    data graphs, as in the embedded store.
``union``
    The server's default graph is already the union of its named graphs (Virtuoso; GraphDB;
    Fuseki with ``unionDefaultGraph``): there is nothing to maintain, and Virtuoso refuses an
    ``INSERT``/``DELETE`` without ``GRAPH``. The operations that maintain the merged default
    graph are left out (:func:`without_default_graph`); the named graphs and load records are
    written the same. The insert is also written the way Virtuoso takes it (found by testing
    against Virtuoso 7.2): one ``GRAPH`` block per graph with no ``.`` between blocks, and the
    triples with blank nodes (refused in ``INSERT DATA``) in ``INSERT { … } WHERE {}`` operations,
    one per group of triples sharing blank nodes (one big template exceeds Virtuoso's SQL limits).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from clusterkg.core.errors import ClusterkgError, StoreError
from clusterkg.core.namespaces import DEFAULT_BASE, graph_iri
from clusterkg.core.remote import RemoteSparql
from clusterkg.loader.loading import METADATA_GRAPH, LoadResult, plan_load, replaced_graphs
from clusterkg.loader.sources import SourceFile

_VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
MODES = ("auto", "merge", "union")

#: How an update from :func:`plan_load` is laid out: operations end with `` ;`` + newline, the
#: triples of its final INSERT DATA with `` .`` + newline (terms are written as N-Triples, so no
#: raw newline occurs inside one); a triple of the default graph is the one not inside ``GRAPH``.
_OPERATION_SEPARATOR = " ;\n"
_TRIPLE_SEPARATOR = " .\n"
_DEFAULT_GRAPH_DELETE = "DELETE { ?s ?p ?o } WHERE { GRAPH <"
_INSERT = "INSERT DATA { "


def resolve_mode(client: RemoteSparql, mode: str) -> str:
    """``merge`` or ``union``: ``auto`` asks the server who it is (``union`` for Virtuoso)."""
    if mode not in MODES:
        raise ClusterkgError(f"default graph mode must be one of {', '.join(MODES)}: {mode!r}")
    if mode != "auto":
        return mode
    return "union" if client.server_software().lower().startswith("virtuoso") else "merge"


def loaded_graphs(client: RemoteSparql, base: str = DEFAULT_BASE) -> list[str]:
    """The data graphs clusterkg loaded into the server and that still hold triples, sorted."""
    meta = graph_iri(base, METADATA_GRAPH)
    rows = client.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH <{meta}> {{ ?g <{_VOID_TRIPLES}> ?n }} "
        f"FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
    )
    return sorted(row["g"].value for row in rows if isinstance(row.get("g"), ox.NamedNode) and row["g"].value != meta)


def remote_context(client: RemoteSparql, replaced: Sequence[str], base: str = DEFAULT_BASE) -> Iterator[ox.Quad]:
    """What is loaded on the server and stays: the quads of every loaded graph but the replaced ones."""
    skip = set(replaced)
    for g in loaded_graphs(client, base):
        if g not in skip:
            yield from client.graph_quads(g)


def without_default_graph(update: str) -> str:
    """The update of :func:`plan_load` minus its maintenance of a merged default graph.

    Drops the ``DELETE { ?s ?p ?o } WHERE { GRAPH <g> … }`` operations (triples leaving the
    default graph) and, in the final ``INSERT DATA``, the copies of triples into the default graph.
    Raises :class:`ClusterkgError` if the update is not laid out as expected, rather than send
    something half-adapted.
    """
    operations = update.split(_OPERATION_SEPARATOR)
    kept = [op for op in operations if not op.startswith(_DEFAULT_GRAPH_DELETE)]
    insert = kept[-1]
    if not (insert.startswith(_INSERT) and insert.endswith(" }")):
        raise ClusterkgError("cannot adapt the update for a server whose default graph is a union: unexpected layout")
    statements = insert[len(_INSERT) : -2].split(_TRIPLE_SEPARATOR)
    by_graph: dict[str, list[str]] = {}
    for statement in statements:
        if not statement.startswith("GRAPH "):
            continue  # a copy into the default graph
        graph, _, rest = statement[len("GRAPH ") :].partition(" { ")
        if not (graph.startswith("<") and graph.endswith(">") and rest.endswith(" }")):
            raise ClusterkgError(f"cannot adapt the update for a union default graph: {statement[:80]}")
        by_graph.setdefault(graph, []).append(rest[:-2])
    ground = {g: [t for t in triples if not _blank_nodes(t)] for g, triples in by_graph.items()}
    kept[-1] = "INSERT DATA { " + _blocks(ground) + " }"
    kept.extend(f"INSERT {{ {_blocks(group)} }} WHERE {{}}" for group in _blank_node_groups(by_graph))
    return _OPERATION_SEPARATOR.join(kept)


def _blocks(by_graph: dict[str, list[str]]) -> str:
    """One ``GRAPH <g> { … }`` block per graph, separated by white space only (Virtuoso refuses the
    '.' that SPARQL allows between two GRAPH blocks)."""
    return "\n".join(f"GRAPH {g} {{\n" + _TRIPLE_SEPARATOR.join(ts) + " }" for g, ts in by_graph.items() if ts)


def _blank_nodes(triple: str) -> list[str]:
    """The blank node labels of an N-Triples-style ``s p o`` (subject and object are the only places)."""
    subject, _, rest = triple.partition(" ")
    _, _, obj = rest.partition(" ")
    return [t for t in (subject, obj) if t.startswith("_:")]


def _blank_node_groups(by_graph: dict[str, list[str]]) -> list[dict[str, list[str]]]:
    """The triples with blank nodes, grouped so that triples sharing a blank node are in one group.

    Virtuoso allows no blank node in ``INSERT DATA``, and compiles an ``INSERT { … } WHERE {}`` into
    SQL of limited length; one small template per group keeps each blank node one node.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    with_blanks = [(g, t, _blank_nodes(t)) for g, ts in by_graph.items() for t in ts]
    for _, _, labels in with_blanks:
        for other in labels[1:]:
            parent[find(other)] = find(labels[0])
    groups: dict[str, dict[str, list[str]]] = {}
    for g, t, labels in with_blanks:
        if labels:
            groups.setdefault(find(labels[0]), {}).setdefault(g, []).append(t)
    return list(groups.values())


def load_remote(
    client: RemoteSparql,
    sources: Sequence[SourceFile],
    *,
    base: str = DEFAULT_BASE,
    strict: bool = False,
    remove: Sequence[str] = (),
    mode: str = "auto",
) -> LoadResult:
    """Validate ``sources`` in the context of what the server holds and, if they conform, send one update."""
    mode = resolve_mode(client, mode)
    context = list(remote_context(client, replaced_graphs(sources, remove), base))
    result, update = plan_load(sources, context, base=base, strict=strict, remove=remove)
    if update is not None:
        client.update(without_default_graph(update) if mode == "union" else update)
    return result


def unload_remote(
    client: RemoteSparql, graphs: Sequence[str], *, base: str = DEFAULT_BASE, strict: bool = False, mode: str = "auto"
) -> LoadResult:
    """Drop ``graphs`` from the server if what remains still conforms."""
    present = set(loaded_graphs(client, base))
    for g in graphs:
        if g not in present:
            raise StoreError(f"no graph <{g}> loaded into the SPARQL server {client.query_url}")
    return load_remote(client, [], base=base, strict=strict, remove=graphs, mode=mode)
