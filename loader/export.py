"""Exporting the store as N-Quads or TriG: the data graphs, or chosen ones, ready to load elsewhere.

The merged default graph is not exported (the loader rebuilds it from the named graphs), nor the
load records unless asked: an export loaded into a fresh store gives back the same data graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO

import pyoxigraph as ox

from clusterkg.core.errors import ClusterkgError
from clusterkg.core.namespaces import PREFIXES, graph_iri
from clusterkg.loader.loading import METADATA_GRAPH, data_graphs
from clusterkg.loader.personal import persons, without_persons

EXPORT_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def resolve_graph(name: str, base: str) -> str:
    """A graph IRI from an IRI or a short name (``brochure-2009`` → ``{base}graph/brochure-2009``)."""
    return name if "://" in name else graph_iri(base, name)


def export(
    store: ox.Store,
    output: BinaryIO,
    *,
    base: str,
    fmt: str = "trig",
    graphs: Sequence[str] = (),
    with_load_records: bool = False,
    withhold_personal_data: bool = False,
) -> int:
    """Write the chosen graphs (default: every data graph) to ``output``; returns the number of quads.

    ``withhold_personal_data`` leaves out every person and every statement pointing at one.
    """
    if fmt not in EXPORT_FORMATS:
        raise ClusterkgError(f"unknown export format {fmt!r} (expected {' or '.join(EXPORT_FORMATS)})")
    known = set(data_graphs(store, base)) | {graph_iri(base, METADATA_GRAPH)}
    chosen = [resolve_graph(g, base) for g in graphs] or data_graphs(store, base)
    if with_load_records and not graphs:
        chosen.append(graph_iri(base, METADATA_GRAPH))
    for g in chosen:
        if g not in known:
            raise ClusterkgError(f"no graph <{g}> in the store")
    counter = _Counter()
    quads: Iterable[ox.Quad] = _quads(store, chosen)
    if withhold_personal_data:
        quads = without_persons(quads, persons((), store))
    ox.serialize(
        counter.count(quads),
        output,
        format=EXPORT_FORMATS[fmt],
        prefixes={k: v for k, v in PREFIXES.items() if k != "id"} if fmt == "trig" else None,
    )
    return counter.n


def _quads(store: ox.Store, graphs: list[str]) -> Iterator[ox.Quad]:
    for g in graphs:
        yield from store.quads_for_pattern(None, None, None, ox.NamedNode(g))


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def count(self, quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        for q in quads:
            self.n += 1
            yield q
