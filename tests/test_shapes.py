"""The SHACL shapes, shown by example.

Every shape has a minimal conforming example in ``tests/fixtures/shapes/valid/<shape>.ttl`` and
one or more broken examples in ``tests/fixtures/shapes/invalid/<shape>--<what-is-broken>.ttl``.
A broken example starts with ``# expect: <part of the message>`` (and, for soft rules,
``# severity: Warning``): validating it must report that message at that severity.

Validation is done as the loader does it: pyshacl with the bundled shapes and the bundled
ontology and concept schemes (``ont_graph``), no inference, SHACL-SPARQL enabled.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from clusterkg.core.resources import ontology_graph, shapes_graph

SH = Namespace("http://www.w3.org/ns/shacl#")
FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return shapes_graph()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph()


def results(data_file: Path, shapes: Graph, ontology: Graph) -> list[tuple[str, str, str]]:
    """Validate one fixture; return (severity, message, focus node) for each top-level result."""
    data = Graph().parse(data_file, format="turtle")
    _conforms, report, _text = validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    found = []
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(report_node, SH.result):
            severity = report.value(result, SH.resultSeverity).split("#")[-1]
            message = str(report.value(result, SH.resultMessage) or "")
            found.append((severity, message, str(report.value(result, SH.focusNode))))
    return found


def expectation(broken_file: Path) -> tuple[str, str]:
    """The ``# expect:`` message and the ``# severity:`` (Violation unless stated) of a broken example."""
    expect, severity = None, "Violation"
    for line in broken_file.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect:"):
            expect = line.removeprefix("# expect:").strip()
        elif line.startswith("# severity:"):
            severity = line.removeprefix("# severity:").strip()
    assert expect, f"{broken_file.name} has no '# expect:' line"
    return expect, severity


def test_every_shape_has_valid_and_invalid_examples():
    valid_names = {f.stem for f in VALID}
    invalid_names = {f.stem.split("--")[0] for f in INVALID}
    assert valid_names, "no fixtures found"
    assert valid_names == invalid_names


@pytest.mark.parametrize("data_file", VALID, ids=lambda f: f.stem)
def test_valid_example_conforms(data_file: Path, shapes: Graph, ontology: Graph):
    violations = [r for r in results(data_file, shapes, ontology) if r[0] == "Violation"]
    assert violations == [], f"{data_file.name} should conform"


@pytest.mark.parametrize("data_file", INVALID, ids=lambda f: f.stem)
def test_broken_example_is_reported(data_file: Path, shapes: Graph, ontology: Graph):
    expect, severity = expectation(data_file)
    found = results(data_file, shapes, ontology)
    assert any(sev == severity and expect in message for sev, message, _focus in found), (
        f"{data_file.name}: expected a {severity} containing {expect!r}, got {found}"
    )
