"""The part of the store a load can affect: what incremental validation needs, and nothing more.

Validating a small load against a big store must not re-validate the whole store. A load can
only change the conformance of

* the resources it describes (subjects of its triples) and those of the graphs it replaces, and
* the resources that point at those (e.g. a membership whose cluster is replaced),

so those are the *focus*. To judge a focus node, the shapes look a few steps along outgoing links
(the class of a value, the scheme of a concept, the country of a partner's site), never along
incoming ones, so the data handed to the validator is the focus nodes' outgoing neighbourhood,
:data:`HOPS` steps deep. Results are kept for the focus nodes and their direct values (the targets
of ``sh:targetObjectsOf`` shapes such as addresses and telephones), which the neighbourhood covers
to at least two further steps; results on the rim of the neighbourhood, judged on partial data,
are dropped. A test compares this with validating the whole store.

The store is looked up in one of two ways, with the same focus and reported nodes. Probing (one
``quads_for_pattern`` per node and hop) costs ~10 µs a call, which is right for a small load into
a big store, but made 9 s of a 1M-triple load into a small one (~450k calls). So when the store's
data graphs hold no more than :data:`SCAN_FACTOR` times the load's quads, they are read once
(reading stops as soon as the store turns out bigger) and all of them are the context: a
superset of the hops, judged on complete data.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

HOPS = 3
#: Read the whole store (instead of probing it) when it is at most this many times the load.
SCAN_FACTOR = 2

Node = ox.NamedNode | ox.BlankNode


@dataclass(frozen=True)
class Neighbourhood:
    quads: list[ox.Quad]
    focus: set[Node]
    reported: set[Node]


def neighbourhood(
    store: ox.Store,
    new_quads: Sequence[ox.Quad],
    skip_graphs: Iterable[str],
    exclude: Iterable[str] = (),
    *,
    scan_factor: float = SCAN_FACTOR,
) -> Neighbourhood:
    """The context quads around what ``new_quads`` and the replaced graphs (in ``skip_graphs``) touch.

    Graphs in ``exclude`` (derived ones, such as the computed network graph) are neither context nor focus.
    ``scan_factor`` chooses between reading the store and probing it (see the module docstring):
    the neighbourhood is the same either way.
    """
    focus_graphs = set(skip_graphs)
    skip = focus_graphs | set(exclude)

    changed: set[Node] = {q.subject for q in new_quads}  # type: ignore[misc]
    for g in focus_graphs:
        changed |= {q.subject for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))}  # type: ignore[misc]
    focus = set(changed)
    scanned = _scan(store, skip, int(scan_factor * len(new_quads)))
    if scanned is not None:
        return _whole(scanned, new_quads, focus, changed)

    def context(subject: Node) -> Iterator[ox.Quad]:
        for q in store.quads_for_pattern(subject, None, None, None):
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in skip:
                yield q

    for node in changed:
        for q in store.quads_for_pattern(None, None, node, None):
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in skip:
                focus.add(q.subject)  # type: ignore[arg-type]

    new_by_subject: dict[Node, list[ox.Quad]] = {}
    for q in new_quads:
        new_by_subject.setdefault(q.subject, []).append(q)  # type: ignore[arg-type]

    collected: dict[tuple[object, object, object], ox.Quad] = {}
    seen: set[Node] = set()
    frontier = set(focus)
    reported = set(focus)
    for hop in range(HOPS):
        following: set[Node] = set()
        for node in frontier - seen:
            seen.add(node)
            for q in context(node):
                collected.setdefault((q.subject, q.predicate, q.object), q)
                if isinstance(q.object, (ox.NamedNode, ox.BlankNode)):
                    following.add(q.object)
            for q in new_by_subject.get(node, ()):
                if isinstance(q.object, (ox.NamedNode, ox.BlankNode)):
                    following.add(q.object)
        if hop == 0:
            reported |= following
        frontier = following
    return Neighbourhood(list(collected.values()), focus, reported)


def _whole(scanned: list[ox.Quad], new_quads: Sequence[ox.Quad], focus: set[Node], changed: set[Node]) -> Neighbourhood:
    """The neighbourhood when the store was read whole: all of it is the context.

    The focus and the reported nodes are those probing finds; the context is every quad read,
    a superset of the nodes' hops (it is at most :data:`SCAN_FACTOR` times the load anyway), so
    the validator judges the reported nodes on complete data. Walking the hops through the
    load's own quads cost ~2 s of a 1M-triple load for a context that adds nothing.
    """
    for q in scanned:
        if q.object in changed:
            focus.add(q.subject)  # type: ignore[arg-type]
    reported = set(focus)
    for q in itertools.chain(new_quads, scanned):
        if q.subject in focus and isinstance(q.object, (ox.NamedNode, ox.BlankNode)):
            reported.add(q.object)
    return Neighbourhood(scanned, focus, reported)


def _scan(store: ox.Store, skip: set[str], limit: int) -> list[ox.Quad] | None:
    """Every quad of the store's data graphs (not ``skip``), or ``None`` if there are more than ``limit``."""
    found: list[ox.Quad] = []
    for graph in store.named_graphs():
        if not isinstance(graph, ox.NamedNode) or graph.value in skip:
            continue
        found.extend(itertools.islice(store.quads_for_pattern(None, None, None, graph), limit - len(found) + 1))
        if len(found) > limit:
            return None
    return found
