"""Replacing a graph's content by its smallest change (``clusterkg.core.graphchange``).

A derived graph is mostly the same after a recomputation; these examples show what the change
deletes and adds, and that applying it leaves exactly the new content (blank nodes compared by
isomorphism), with every other graph untouched.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import isomorphic

from clusterkg.core.graphchange import GraphChange, graph_change, ntriples_lines, stored_text

G = ox.NamedNode("https://example.org/graph/derived")
OTHER = ox.NamedNode("https://example.org/graph/data")
EX = "https://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def tie(name: str, weight: int, years: list[tuple[int, int]]) -> list[ox.Quad]:
    """A tie with a weight and one blank-node period per (start, end)."""
    quads = [ox.Quad(n(name), n("weight"), ox.Literal(str(weight), datatype=ox.NamedNode(XSD + "integer")), G)]
    for start, end in years:
        period = ox.BlankNode()
        quads += [
            ox.Quad(n(name), n("temporal"), period, G),
            ox.Quad(period, n("start"), ox.Literal(str(start), datatype=ox.NamedNode(XSD + "gYear")), G),
            ox.Quad(period, n("end"), ox.Literal(str(end), datatype=ox.NamedNode(XSD + "gYear")), G),
        ]
    return quads


def change_to(store: ox.Store, quads: list[ox.Quad], stored: bytes | None = None) -> GraphChange:
    """The change that makes ``G`` hold ``quads``, given as the N-Triples lines Oxigraph writes."""
    return graph_change(store, G, ntriples_lines(quads, G), stored=stored)


def applied(store: ox.Store, quads: list[ox.Quad]) -> tuple[int, int]:
    """Apply the change to ``quads``; (statements removed, statements added)."""
    change = change_to(store, quads)
    if change.update:
        store.update(change.update)
    if change.text:
        store.load(change.text, ox.RdfFormat.N_TRIPLES, to_graph=G)
    return change.removed, change.added_count


def same_content(store: ox.Store, graph: ox.NamedNode, quads: list[ox.Quad]) -> bool:
    def graph_of(items: list[ox.Quad]):
        data = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in items], format=ox.RdfFormat.N_TRIPLES)
        return Graph().parse(data=data, format="nt")

    reference = ox.Store()
    reference.extend(quads)  # in Oxigraph's canonical literal forms, as the store holds them
    stored = list(store.quads_for_pattern(None, None, None, graph))
    return isomorphic(graph_of(stored), graph_of(list(reference.quads_for_pattern(None, None, None, graph))))


def store_with(quads: list[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.extend(quads)
    store.add(ox.Quad(n("a"), n("weight"), ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")), OTHER))
    store.add(ox.Quad(n("a"), n("weight"), ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))))
    return store


def test_the_same_content_again_needs_no_write() -> None:
    store = store_with(tie("a", 1, [(2019, 2020)]) + tie("b", 2, [(2018, 2021), (2022, 2023)]))
    change = change_to(store, tie("a", 1, [(2019, 2020)]) + tie("b", 2, [(2022, 2023), (2018, 2021)]))
    assert (change.update, change.text, change.removed, change.whole) == ("", b"", 0, False)


def test_only_what_changed_is_deleted_and_added() -> None:
    store = store_with(tie("a", 1, [(2019, 2020)]) + tie("b", 2, [(2018, 2021)]) + tie("c", 3, []))
    new = tie("a", 5, [(2019, 2020)]) + tie("b", 2, [(2018, 2022)]) + tie("d", 4, [(2020, 2020)])
    removed, added = applied(store, new)
    # a's weight; b's period (3 statements); c's weight; against a's and d's weight and the two periods
    assert (removed, added) == (1 + 3 + 1, 2 + 3 + 3)
    assert same_content(store, G, new)
    assert len(list(store.quads_for_pattern(None, None, None, OTHER))) == 1  # other graphs untouched
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 1


def test_two_periods_of_one_tie_are_replaced_together_when_one_changes() -> None:
    store = store_with(tie("a", 1, [(2010, 2011), (2019, 2020)]))
    new = tie("a", 1, [(2010, 2011), (2019, 2024)])
    assert applied(store, new) == (6, 6)
    assert same_content(store, G, new)


def test_an_emptied_graph_and_a_filled_one() -> None:
    store = store_with(tie("a", 1, [(2019, 2020)]))
    assert applied(store, []) == (4, 0)
    assert list(store.quads_for_pattern(None, None, None, G)) == []
    assert applied(store, tie("a", 1, [(2019, 2020)])) == (0, 4)
    assert same_content(store, G, tie("a", 1, [(2019, 2020)]))


def test_nested_blank_nodes_replace_the_whole_graph() -> None:
    outer, inner = ox.BlankNode(), ox.BlankNode()
    nested = [
        ox.Quad(n("a"), n("has"), outer, G),
        ox.Quad(outer, n("has"), inner, G),
        ox.Quad(inner, n("x"), n("y"), G),
    ]
    store = store_with(nested)
    change = change_to(store, nested)
    assert change.whole and change.update.startswith("DROP SILENT GRAPH")
    applied(store, nested)
    assert same_content(store, G, nested)


def test_a_literal_in_another_form_is_written_again_and_the_content_is_right() -> None:
    decimal = ox.NamedNode(XSD + "decimal")
    store = store_with([ox.Quad(n("a"), n("rank"), ox.Literal("0.500000", datatype=decimal), G)])
    new = [ox.Quad(n("a"), n("rank"), ox.Literal("0.500000", datatype=decimal), G)]
    assert applied(store, new) == (1, 1)  # the store holds "0.5": not the same Python term
    assert [q.object.value for q in store.quads_for_pattern(None, None, None, G)] == ["0.5"]
    assert change_to(store, [ox.Quad(n("a"), n("rank"), ox.Literal("0.5", datatype=decimal), G)]).added_count == 0


def test_quads_of_another_graph_are_refused() -> None:
    try:
        ntriples_lines([ox.Quad(n("a"), n("b"), n("c"), OTHER)], G)
    except ValueError as err:
        assert str(G) in str(err)
    else:
        raise AssertionError("a quad of another graph was accepted")


def test_text_that_looks_like_a_blank_node_and_other_scripts_compare_as_text() -> None:
    def labelled(label: str) -> list[ox.Quad]:
        return [
            ox.Quad(n("a"), n("label"), ox.Literal('Кластер _:b1 "Нови Сад"\n', language="sr"), G),
            ox.Quad(n("a"), n("note"), ox.Literal(label), G),
        ]

    store = store_with(labelled("one"))
    assert change_to(store, labelled("one")).added_count == 0
    assert applied(store, labelled("two")) == (1, 1)
    assert same_content(store, G, labelled("two"))


def test_the_stored_content_read_beforehand_gives_the_same_change() -> None:
    store = store_with(tie("a", 1, [(2019, 2020)]) + tie("b", 2, [(2018, 2021)]))
    new = tie("a", 5, [(2019, 2020)]) + tie("b", 2, [(2018, 2022)])
    read_first = change_to(store, new, stored=stored_text(store, G))
    assert read_first == change_to(store, new)
