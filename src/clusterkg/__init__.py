"""clusterkg: an open knowledge graph of industrial clusters, served over SPARQL.

The package is layered bottom-up: ``clusterkg.core`` (settings, store access, namespaces,
bundled resources), ``clusterkg.loader`` on it, ``clusterkg.endpoint`` on both, and
``clusterkg.cli`` on top. Nothing imports upward.
"""

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    """``__version__``, looked up on first use: ``importlib.metadata`` costs 40 ms and 5 MiB at import,
    which every query process (:mod:`clusterkg.core.querychild`) would pay for nothing."""
    if name != "__version__":
        raise AttributeError(f"module 'clusterkg' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("clusterkg")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        found = "0.0.0"
    globals()["__version__"] = found
    return found
