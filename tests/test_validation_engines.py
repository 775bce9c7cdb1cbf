"""The SPARQL validation engine reports exactly what pySHACL reports.

``validate(..., engine="sparql")`` compiles the shapes to SPARQL and runs them in Oxigraph;
``engine="pyshacl"`` is the reference. Both run here on the bundled data, on every valid and
broken shape example, on synthetic data with deliberately broken records, and on random
mutations of a conforming example, and must give the same multiset of (focus, path, component,
severity, value, message). Shapes the compiler cannot translate make the engine fall back to
pySHACL, which is checked too.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from clusterkg.core.resources import shapes_graph
from clusterkg.loader.bundled import bundled_sources
from clusterkg.loader.loading import graph_of_sources
from clusterkg.loader.validation import ValidationReport, graph_of, sparql_supports, validate

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
EXAMPLES = sorted((FIXTURES / "valid").glob("*.ttl")) + sorted((FIXTURES / "invalid").glob("*.ttl"))
GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


def outcome(report: ValidationReport) -> Counter[tuple[str, ...]]:
    return Counter((r.focus, r.path, r.component, r.severity, r.value, r.message, r.file) for r in report.results)


def same_results(data: Graph, **kwargs: object) -> ValidationReport:
    """Validate with both engines, assert they agree, return the SPARQL engine's report."""
    fast = validate(data, engine="sparql", **kwargs)  # type: ignore[arg-type]
    reference = validate(data, engine="pyshacl", **kwargs)  # type: ignore[arg-type]
    assert outcome(fast) == outcome(reference)
    assert fast.lines() == reference.lines()
    return fast


def test_the_bundled_shapes_compile_to_sparql() -> None:
    assert sparql_supports() is None


def test_the_bundled_data_gives_the_same_results() -> None:
    data, origins = graph_of_sources(bundled_sources())
    report = same_results(data, origins=origins)
    assert report.conforms()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shape_example_gives_the_same_results(example: Path) -> None:
    report = same_results(Graph().parse(example, format="turtle"))
    if example.parent.name == "invalid":
        assert report.results, "a broken example must be reported"


def test_synthetic_data_with_broken_records_gives_the_same_results(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    manifest = module.generate(8000, 3, 0.3, tmp_path, countries=3, members=3)
    data = Graph()
    for name in manifest["files"]:
        data.parse(tmp_path / name, format="nt")
    data += graph_of(q for s in bundled_sources() for q in s.quads)  # the schemes and places it points at
    report = same_results(data)
    assert {r.focus for r in report.results if r.severity == "Violation"} >= {b["focus"] for b in manifest["invalid"]}


VALID_ORG = FIXTURES / "valid" / "organisation.ttl"
_VALUES = [
    Literal("x"),
    Literal("Ime", lang="sr-Latn"),
    Literal("Name", lang="en"),
    Literal("2020-13-01", datatype=XSD.date),
    Literal("2999-01-01", datatype=XSD.date),
    Literal("2007", datatype=XSD.gYear),
    Literal(" 1", datatype=XSD.integer),
    Literal("-3", datatype=XSD.integer),
    URIRef("https://w3id.org/clusterkg/id/scheme/places"),
    URIRef("http://www.w3.org/ns/org#Organization"),
    URIRef("https://example.org/nothing"),
]


@pytest.fixture(scope="module")
def mutation_base() -> tuple[Graph, list[URIRef]]:
    base = Graph().parse(VALID_ORG, format="turtle") if VALID_ORG.exists() else Graph().parse(EXAMPLES[0])
    predicates = sorted({p for p in base.predicates() if isinstance(p, URIRef)})
    return base, predicates


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_mutations_give_the_same_results(data: st.DataObject, mutation_base) -> None:
    base, predicates = mutation_base
    graph = Graph()
    graph += base
    triples = sorted(graph, key=str)
    for _ in range(data.draw(st.integers(1, 4))):
        s, p, o = data.draw(st.sampled_from(triples))
        action = data.draw(st.sampled_from(["drop", "add", "replace"]))
        if action in ("drop", "replace"):
            graph.remove((s, p, o))
        if action in ("add", "replace"):
            graph.add((s, data.draw(st.sampled_from(predicates)), data.draw(st.sampled_from(_VALUES))))
    same_results(graph)


def test_an_unsupported_constraint_falls_back_to_pyshacl() -> None:
    shapes = shapes_graph()
    org = URIRef("https://w3id.org/clusterkg/shapes#OrganisationShape")
    shapes.add((org, SH.closed, Literal(True)))  # sh:closed is not compiled
    reason = sparql_supports(shapes)
    assert reason is not None and "closed" in reason
    data = Graph().parse(VALID_ORG, format="turtle")
    report = validate(data, engine="sparql", shapes=shapes)
    reference = validate(data, engine="pyshacl", shapes=shapes)
    assert outcome(report) == outcome(reference)
    assert any(r.component == "ClosedConstraintComponent" for r in report.results)


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown validation engine"):
        validate(Graph(), engine="fast")  # type: ignore[arg-type]


def test_the_node_type_of_a_mutation_does_not_matter_to_agreement() -> None:
    """A value of the wrong kind (an IRI where a text is due) is judged alike."""
    data = Graph().parse(VALID_ORG, format="turtle")
    for s in list(data.subjects(RDF.type, None)):
        data.add((s, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), URIRef("https://example.org/x")))
    same_results(data)


def test_the_cli_chooses_the_engine_and_reports_alike(run_cli, tmp_path: Path) -> None:
    broken = FIXTURES / "invalid" / "grant--exceeds-half-of-eligible-costs.ttl"
    fast = run_cli("validate", str(broken), "--validator", "sparql")
    slow = run_cli("validate", str(broken), env={"CLUSTERKG_VALIDATION_ENGINE": "pyshacl"})
    assert fast.returncode == slow.returncode == 1
    assert fast.stdout == slow.stdout
    assert "exceeds 50% of the eligible costs" in fast.stdout


def test_an_unknown_engine_setting_is_one_clear_error(run_cli) -> None:
    result = run_cli("validate", "--bundled", env={"CLUSTERKG_VALIDATION_ENGINE": "fast"})
    assert result.returncode == 2
    assert result.stderr.strip() == "clusterkg: error: validation engine must be sparql or pyshacl: 'fast'"


def test_a_store_is_validated_in_place_by_the_sparql_engine(loaded_store: Path) -> None:
    """``validate_store`` hands the store's quads to Oxigraph: the same report as pySHACL's."""
    from clusterkg.core.store import open_store
    from clusterkg.loader.loading import validate_store

    with open_store(loaded_store, read_only=True) as store:
        fast = validate_store(store, engine="sparql")
        slow = validate_store(store, engine="pyshacl")
    assert outcome(fast) == outcome(slow)
    assert fast.conforms()


def test_a_refused_load_reports_what_pyshacl_reports(tmp_path: Path) -> None:
    """Through the loader (quads, in the context of a store): a decimal keeps the form the file wrote."""
    import pyoxigraph as ox

    from clusterkg.loader.inputs import read_paths
    from clusterkg.loader.loading import load_files

    broken = FIXTURES / "invalid" / "grant--exceeds-half-of-eligible-costs.ttl"
    store = ox.Store(str(tmp_path / "store"))
    fast = load_files(store, read_paths([broken]), network=False, engine="sparql")
    slow = load_files(store, read_paths([broken]), network=False, engine="pyshacl")
    assert not fast.committed and not slow.committed
    assert fast.report.lines() == slow.report.lines()
    assert any("of 60000.00 exceeds" in line for line in fast.report.lines())


def test_malformed_shapes_are_one_clear_error_not_a_traceback() -> None:
    from rdflib import Graph

    from clusterkg.core.errors import ClusterkgError
    from clusterkg.loader.validation import validate_pyshacl

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount "many" ] .""",
        format="turtle",
    )
    data = Graph().parse(data="<http://example.org/x> a <http://example.org/C> .", format="turtle")
    with pytest.raises(ClusterkgError, match="the shapes cannot be used: ") as caught:
        validate_pyshacl(data, shapes=shapes)
    assert "\n" not in str(caught.value)
