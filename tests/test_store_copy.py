"""Copying a store's data graphs into memory, several graphs at once, for a whole-store validation.

The copy must hold exactly the store's default graph (the merge the loader keeps), whatever the
number of threads, and a failure while dumping must come out as an error, not a hang or a partial copy.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from clusterkg.core.store import open_store
from clusterkg.core.storecopy import merged_copy
from clusterkg.loader.loading import data_graphs
from clusterkg.loader.validation import graph_of

EX = "http://example.org/"


def triples(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def same_graph(one: ox.Store, other: ox.Store) -> bool:
    """The default graphs are equal up to blank node labels (a parse gives blank nodes new ones)."""
    default = ox.DefaultGraph()
    return isomorphic(
        graph_of(one.quads_for_pattern(None, None, None, default)),
        graph_of(other.quads_for_pattern(None, None, None, default)),
    )


@pytest.mark.parametrize("threads", [1, 2, 5])
def test_the_copy_of_the_data_graphs_is_the_default_graph(loaded_store: Path, threads: int) -> None:
    with open_store(loaded_store, read_only=True) as store:
        graphs = [ox.NamedNode(g) for g in data_graphs(store)]
        copy = merged_copy(store, graphs, threads=threads)
        assert len(graphs) > 5
        assert same_graph(copy, store)
        assert not list(copy.named_graphs())


def test_a_triple_two_graphs_state_is_one_triple_and_a_shared_blank_node_stays_one_node() -> None:
    store = ox.Store()
    a, b = ox.NamedNode(EX + "a"), ox.NamedNode(EX + "b")
    shared = ox.BlankNode("address1")
    name = ox.NamedNode(EX + "name")
    store.extend([
        ox.Quad(ox.NamedNode(EX + "x"), name, ox.Literal("X"), a),
        ox.Quad(ox.NamedNode(EX + "x"), name, ox.Literal("X"), b),
        ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "address"), shared, a),
        ox.Quad(shared, ox.NamedNode(EX + "city"), ox.Literal("Novi Sad"), b),
    ])  # fmt: skip
    copy = merged_copy(store, [a, b], threads=2)
    assert len(copy) == 3
    rows = list(copy.query(f"SELECT ?city {{ <{EX}x> <{EX}address> ?a . ?a <{EX}city> ?city }}"))
    assert [r["city"].value for r in rows] == ["Novi Sad"]  # type: ignore[union-attr]


def test_only_the_graphs_asked_for_are_copied() -> None:
    store = ox.Store()
    kept, left = ox.NamedNode(EX + "kept"), ox.NamedNode(EX + "left")
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("kept"), kept))
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("left"), left))
    assert {t.object.value for t in triples(merged_copy(store, [kept], threads=2))} == {"kept"}  # type: ignore[union-attr]
    assert len(merged_copy(store, [], threads=2)) == 0


def test_a_graph_that_cannot_be_dumped_is_an_error_not_a_hang() -> None:
    store = ox.Store()
    graphs = [ox.NamedNode(f"{EX}g{i}") for i in range(6)]
    for g in graphs:
        store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal(g.value), g))
    with pytest.raises(TypeError):
        merged_copy(store, [*graphs[:3], "not a graph", *graphs[3:]], threads=2)  # type: ignore[list-item]
