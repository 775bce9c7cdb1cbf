"""Shared fixtures: the bundled graph, temporary stores, and a running server."""

from __future__ import annotations

import pytest
from rdflib import Graph

from clusterkg.core import resources


@pytest.fixture(scope="session")
def bundled_graph() -> Graph:
    """Every bundled data file, ontology and concept scheme merged into one rdflib graph."""
    graph = Graph()
    for f in resources.ontology_files() + resources.data_files():
        graph.parse(data=f.read_bytes(), format="turtle", publicID=f"file:///{f.name}")
    return graph
