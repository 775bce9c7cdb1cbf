"""From paths on the command line to parsed sources: RDF files, directories of them, spreadsheets.

A directory holding ``clusters.csv`` is one tabular source (see ``docs/tabular.md``); any other
directory is searched recursively for RDF files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from clusterkg.core.namespaces import DEFAULT_BASE
from clusterkg.loader.sources import SourceFile, discover, read_source
from clusterkg.loader.tabular import read_tabular

TABULAR_MARKER = "clusters.csv"


def is_tabular(path: Path) -> bool:
    return path.is_dir() and (path / TABULAR_MARKER).is_file()


def read_paths(paths: Sequence[Path], *, base: str = DEFAULT_BASE) -> list[SourceFile]:
    """Parse every source named by ``paths``, in a stable order; the first bad one raises."""
    sources: list[SourceFile] = []
    for path in paths:
        if is_tabular(path):
            sources.append(read_tabular(path, base=base))
        else:
            sources.extend(read_source(p, base=base) for p in discover([path]))
    return sources
