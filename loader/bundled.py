"""The graph that ships with clusterkg: ontology, concept schemes and curated data."""

from __future__ import annotations

from clusterkg.core import resources
from clusterkg.core.namespaces import DEFAULT_BASE
from clusterkg.loader.sources import SourceFile, read_source


def bundled_sources(base: str = DEFAULT_BASE) -> list[SourceFile]:
    """Every bundled file, parsed; each goes into the named graph of its file stem."""
    found = [("ontology", f) for f in resources.ontology_files()] + [("data", f) for f in resources.data_files()]
    return [read_source(f, base=base, name=f"clusterkg.{pkg}/{f.name}") for pkg, f in found]
