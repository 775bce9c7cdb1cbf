"""The loader: the only way data gets into the store.

It parses RDF files, validates them against the SHACL shapes in the context of what is already
loaded, and commits them in one transaction, each source into its own named graph.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Where each public name lives. They are imported when first used (PEP 562), so that importing one
#: light module of the loader (the endpoint's ``clusterkg.loader.sources``) does not import rdflib and
#: the validator into every server process.
_EXPORTS = {
    "LoadResult": "loading",
    "graph_of_sources": "loading",
    "load_bundled": "loading",
    "load_files": "loading",
    "unload_graphs": "loading",
    "validate_store": "loading",
    "SourceFile": "sources",
    "discover": "sources",
    "read_source": "sources",
    "ValidationReport": "validation",
    "ValidationResult": "validation",
    "validate": "validation",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
