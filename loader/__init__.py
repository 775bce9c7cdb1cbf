"""The loader: the only way data gets into the store.

It parses RDF files, validates them against the SHACL shapes in the context of what is already
loaded, and commits them in one transaction, each source into its own named graph.
"""

from clusterkg.loader.loading import (
    LoadResult,
    graph_of_sources,
    load_bundled,
    load_files,
    unload_graphs,
    validate_store,
)
from clusterkg.loader.sources import SourceFile, discover, read_source
from clusterkg.loader.validation import ValidationReport, ValidationResult, validate

__all__ = [
    "LoadResult",
    "SourceFile",
    "ValidationReport",
    "ValidationResult",
    "discover",
    "graph_of_sources",
    "load_bundled",
    "load_files",
    "read_source",
    "unload_graphs",
    "validate",
    "validate_store",
]
