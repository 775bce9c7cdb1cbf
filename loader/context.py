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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

HOPS = 3

Node = ox.NamedNode | ox.BlankNode


@dataclass(frozen=True)
class Neighbourhood:
    quads: list[ox.Quad]
    focus: set[Node]
    reported: set[Node]


def neighbourhood(
    store: ox.Store, new_quads: Sequence[ox.Quad], skip_graphs: Iterable[str], exclude: Iterable[str] = ()
) -> Neighbourhood:
    """The context quads around what ``new_quads`` and the replaced graphs (in ``skip_graphs``) touch.

    Graphs in ``exclude`` (derived ones, such as the computed network graph) are neither context nor focus.
    """
    focus_graphs = set(skip_graphs)
    skip = focus_graphs | set(exclude)

    def context(subject: Node | None = None, obj: Node | None = None) -> Iterator[ox.Quad]:
        for q in store.quads_for_pattern(subject, None, obj, None):
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in skip:
                yield q

    changed: set[Node] = {q.subject for q in new_quads}  # type: ignore[misc]
    for g in focus_graphs:
        changed |= {q.subject for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))}  # type: ignore[misc]
    focus = set(changed)
    for node in changed:
        focus |= {q.subject for q in context(obj=node)}  # type: ignore[misc]

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
            for q in context(subject=node):
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
