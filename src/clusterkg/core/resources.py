"""The ontology, shapes and bundled data that ship inside the package.

They are found through :mod:`importlib.resources`, so an installed ``clusterkg`` works from any
directory, zipped or not, without knowing where the repository is.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rdflib is imported when a graph is parsed: the server's processes never need it
    from rdflib import Graph

RDF_SUFFIXES = (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".owl")


def _rdf_files(package: str) -> list[Traversable]:
    """RDF files directly inside ``package``, sorted by name so loads are reproducible."""
    return sorted(
        (f for f in files(package).iterdir() if f.is_file() and f.name.endswith(RDF_SUFFIXES)),
        key=lambda f: f.name,
    )


def ontology_files() -> list[Traversable]:
    """The OWL ontology and the SKOS concept schemes."""
    return _rdf_files("clusterkg.ontology")


#: Shapes of the catalogue description (DCAT-AP), not of the data: kept out of :func:`shape_files`.
DCAT_AP_SHAPES = "dcat-ap-shapes.ttl"


def shape_files() -> list[Traversable]:
    """The SHACL shapes graphs the data is validated with (the DCAT-AP shapes are not among them)."""
    return [f for f in _rdf_files("clusterkg.shapes") if f.name != DCAT_AP_SHAPES]


def dcat_ap_shapes_graph() -> Graph:
    """The SHACL shapes of the DCAT-AP catalogue description (``shapes/dcat-ap-shapes.ttl``)."""
    return _parse_all([files("clusterkg.shapes").joinpath(DCAT_AP_SHAPES)])  # type: ignore[list-item]


def data_files() -> list[Traversable]:
    """The curated data, one file per named graph."""
    return _rdf_files("clusterkg.data")


def _parse_all(found: list[Traversable]) -> Graph:
    from rdflib import Graph

    graph = Graph()
    for f in found:
        graph.parse(data=f.read_bytes(), format="turtle", publicID=f"file:///{f.name}")
    return graph


def ontology_graph() -> Graph:
    """The ontology and concept schemes as one rdflib graph (small: parsed on each call)."""
    return _parse_all(ontology_files())


def shapes_graph() -> Graph:
    """All SHACL shapes as one rdflib graph (small: parsed on each call)."""
    return _parse_all(shape_files())
