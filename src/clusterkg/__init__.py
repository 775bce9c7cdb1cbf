"""clusterkg: an open knowledge graph of industrial clusters, served over SPARQL.

The package is layered bottom-up: ``clusterkg.core`` (settings, store access, namespaces,
bundled resources), ``clusterkg.loader`` on it, ``clusterkg.endpoint`` on both, and
``clusterkg.cli`` on top. Nothing imports upward.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clusterkg")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
