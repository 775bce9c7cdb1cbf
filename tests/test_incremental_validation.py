"""Incremental validation: a load is checked against the part of the store it can affect, and finds
exactly what validating the whole store would find."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.core.store import open_store
from clusterkg.loader import load_files, read_source, unload_graphs, validate_store
from clusterkg.loader.bundled import bundled_sources

PREFIXES = """@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/clusterkg/id/> .
"""

# A membership in a cluster loaded earlier (from the brochure) that ends before it starts.
BACKWARDS_MEMBERSHIP = (
    PREFIXES
    + """
<https://w3id.org/clusterkg/id/membership/backwards> a org:Membership ;
  org:member <https://w3id.org/clusterkg/id/cluster/pekos> ;
  org:organization <https://w3id.org/clusterkg/id/cluster/memos> ;
  org:role <https://w3id.org/clusterkg/id/role/member> ;
  dcterms:source <https://w3id.org/clusterkg/id/source/ministry-brochure-2009> ;
  org:memberDuring [ a time:Interval, dcterms:PeriodOfTime ;
                     dcat:startDate "2012"^^xsd:gYear ; dcat:endDate "2010"^^xsd:gYear ] .
"""
)
# A membership pointing at an organisation nobody describes.
DANGLING_MEMBERSHIP = BACKWARDS_MEMBERSHIP.replace("cluster/memos", "cluster/no-such-cluster").replace(
    '"2012"^^xsd:gYear ; dcat:endDate "2010"', '"2010"^^xsd:gYear ; dcat:endDate "2012"'
)


@pytest.fixture
def store(tmp_path: Path):
    path = tmp_path / "store"
    with open_store(path) as opened:
        assert load_files(opened, bundled_sources()).committed
        yield opened


def violations(report) -> set[tuple[str, str, str]]:
    return {(r.focus, r.path, r.component) for r in report.results if r.severity == "Violation"}


@pytest.mark.parametrize("text", [BACKWARDS_MEMBERSHIP, DANGLING_MEMBERSHIP], ids=["ends-before-start", "dangling"])
def test_a_small_load_that_breaks_a_rule_with_existing_data_is_refused_like_a_full_check_would(store, tmp_path, text):
    path = tmp_path / "membership.ttl"
    path.write_text(text, encoding="utf-8")
    source = read_source(path)

    incremental = load_files(store, [source])
    assert not incremental.committed
    full = load_files(store, [source], full_validation=True)
    assert not full.committed
    assert violations(incremental.report) == violations(full.report)


def test_a_valid_small_load_commits_and_the_whole_store_still_conforms(store, tmp_path):
    path = tmp_path / "membership.ttl"
    path.write_text(
        BACKWARDS_MEMBERSHIP.replace(
            '"2012"^^xsd:gYear ; dcat:endDate "2010"', '"2010"^^xsd:gYear ; dcat:endDate "2012"'
        )
    )
    assert load_files(store, [read_source(path)]).committed
    assert validate_store(store).conforms()


def test_removing_what_others_point_at_finds_the_same_violations_as_a_full_check(store):
    incremental = unload_graphs(store, ["https://w3id.org/clusterkg/graph/places"])
    full = load_files(store, [], remove=["https://w3id.org/clusterkg/graph/places"], full_validation=True)
    assert not incremental.committed and not full.committed
    assert violations(incremental.report) == violations(full.report)
    assert len(violations(full.report)) > 20


def test_replacing_a_graph_with_a_broken_version_finds_the_same_violations(store, tmp_path):
    from clusterkg.core import resources

    (places,) = [f for f in resources.data_files() if f.name == "places.ttl"]
    broken = places.read_text(encoding="utf-8").replace(
        "<place/belgrade>\n    a skos:Concept , dcterms:Location ;",
        "<place/belgrade>\n    a <http://www.w3.org/2002/07/owl#Thing> ;",
    )
    assert broken != places.read_text(encoding="utf-8")
    path = tmp_path / "places.ttl"
    path.write_text(broken, encoding="utf-8")
    full = load_files(store, [read_source(path)], full_validation=True)
    incremental = load_files(store, [read_source(path)])
    assert not full.committed and not incremental.committed
    assert violations(incremental.report) == violations(full.report)


@pytest.mark.parametrize("replace_a_graph", [False, True], ids=["new-graph", "replaced-graph"])
def test_reading_the_store_and_probing_it_give_the_same_neighbourhood(store, tmp_path, replace_a_graph):
    """The two ways of looking the store up (see clusterkg.loader.context) agree on the focus and the report."""
    import itertools

    from clusterkg.loader.context import neighbourhood
    from clusterkg.loader.loading import with_cyrillic
    from clusterkg.loader.validation import validate

    path = tmp_path / "membership.ttl"
    path.write_text(BACKWARDS_MEMBERSHIP, encoding="utf-8")
    new = with_cyrillic(read_source(path).quads)
    skip = ["https://w3id.org/clusterkg/graph/brochure-2009"] if replace_a_graph else []
    probed = neighbourhood(store, new, skip, scan_factor=0)
    read = neighbourhood(store, new, skip, scan_factor=1e9)
    assert probed.focus == read.focus and probed.reported == read.reported
    # read whole, the store is all context: the hops probing follows, and the rest
    assert {(q.subject, q.predicate, q.object) for q in probed.quads} < {
        (q.subject, q.predicate, q.object) for q in read.quads
    }
    assert len(probed.quads) > 100  # a real neighbourhood, not two empty ones
    # and the validator reports the same either way: the backwards membership
    reported = validate(itertools.chain(new, probed.quads), only=probed.reported).lines()
    assert reported == validate(itertools.chain(new, read.quads), only=read.reported).lines()
    assert any("before it starts" in line for line in reported)
