"""How a load is written: into a store on disk by Oxigraph's bulk writer, the same quads as a transaction.

A load into the embedded store on disk is committed by ``bulk_load`` / ``bulk_extend`` inside an
undoable checkpoint (clusterkg.core.store.undoable), sources without blank nodes parsed a second
time by Oxigraph itself (SourceFile.reparse). These tests load the same sources both that way and
with the in-memory transactional insert, and compare every quad (the load records aside: they
carry the time of the load).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox

from clusterkg.core.store import ROLLBACK, open_store
from clusterkg.loader import load_files, read_source
from clusterkg.loader.bundled import bundled_sources

LOADS = "https://w3id.org/clusterkg/graph/loads"

# Things with a Serbian Latin name (a Cyrillic twin is added), in N-Triples without blank nodes.
FIRM_NT = (
    '<http://example.org/thing/test-firm> <http://www.w3.org/2000/01/rdf-schema#label> "Test firma Čačak"@sr-Latn .\n'
    '<http://example.org/thing/test-firm> <http://www.w3.org/2000/01/rdf-schema#label> "Test firm"@en .\n'
    '<http://example.org/thing/test-firm> <http://www.w3.org/2000/01/rdf-schema#comment> "shared" .\n'
)
# The same kind of record in Turtle with a blank node, which must not be parsed twice.
FIRM_TTL = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/thing/other-firm> rdfs:label "Other firm"@en ;
  rdfs:seeAlso [ rdfs:label "Niš" ] .
<http://example.org/thing/test-firm> rdfs:comment "shared" .
"""


def data_quads(store: ox.Store) -> set[str]:
    return {str(q) for q in store if str(q.graph_name) != f"<{LOADS}>"}


def sources(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "firm.nt").write_text(FIRM_NT, encoding="utf-8")
    (tmp_path / "other.ttl").write_text(FIRM_TTL, encoding="utf-8")
    (tmp_path / "zipped.nt.gz").write_bytes(gzip.compress(FIRM_NT.replace("test-firm", "zipped-firm").encode()))
    return [read_source(tmp_path / name) for name in ("firm.nt", "other.ttl", "zipped.nt.gz")]


def test_only_sources_without_blank_nodes_are_parsed_again_by_oxigraph(tmp_path: Path) -> None:
    firm, other, zipped = sources(tmp_path)
    assert firm.reparse == (ox.RdfFormat.N_TRIPLES, "file:///firm.nt")
    assert zipped.reparse is not None
    assert other.reparse is None  # a blank node: Oxigraph would name it afresh


def test_the_bulk_commit_on_disk_writes_the_same_quads_as_a_transaction_in_memory(tmp_path: Path) -> None:
    loaded, bundled = sources(tmp_path), bundled_sources()  # parsed once: the same blank nodes both ways
    in_memory = ox.Store()
    assert load_files(in_memory, bundled, network=False).committed
    assert load_files(in_memory, loaded, network=False).committed
    path = tmp_path / "store"
    with open_store(path) as on_disk:
        assert load_files(on_disk, bundled, network=False, store_path=path).committed
        result = load_files(on_disk, loaded, network=False, store_path=path)
        assert result.committed
        assert data_quads(on_disk) == data_quads(in_memory)
        firm_graph = ox.NamedNode("https://w3id.org/clusterkg/graph/firm")
        labels = {q.object for q in on_disk.quads_for_pattern(None, None, None, firm_graph)}
        assert ox.Literal("Тест фирма Чачак", language="sr-Cyrl") in labels  # the twin went in beside
        assert len(data_quads(on_disk)) > 10_000  # the bundled graph and the three sources
    assert not (path / ROLLBACK).exists()


def test_replacing_a_graph_in_bulk_keeps_triples_another_graph_still_states(tmp_path: Path) -> None:
    """The default graph stays the merge of the data graphs when a reparsed graph is replaced."""
    loaded = sources(tmp_path)
    path = tmp_path / "store"
    firm = ox.NamedNode("http://example.org/thing/test-firm")
    with open_store(path) as store:
        assert load_files(store, loaded, network=False, store_path=path).committed
        assert len(list(store.quads_for_pattern(firm, None, None, ox.DefaultGraph()))) == 4  # with the twin
        (tmp_path / "firm.nt").write_text(FIRM_NT.splitlines(keepends=True)[1], encoding="utf-8")
        assert load_files(store, [read_source(tmp_path / "firm.nt")], network=False, store_path=path).committed
        in_default = {str(q.object) for q in store.quads_for_pattern(firm, None, None, ox.DefaultGraph())}
        # The English label of the new version, and the comment other.ttl states too; the old names are gone.
        assert in_default == {'"Test firm"@en', '"shared"'}
