"""The HTTP face of clusterkg: a SPARQL 1.1 Protocol endpoint and pages about the dataset.

Build it with :func:`create_app` from a :class:`~clusterkg.core.settings.Settings`; run it in
production with :func:`~clusterkg.endpoint.server.serve` (gunicorn, several worker processes).
"""

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """``create_app``, imported on first use: the gunicorn master (``python -m
    clusterkg.endpoint.server``) imports this package but must not load Flask and the app's
    dependencies, which only the workers need."""
    if name != "create_app":
        raise AttributeError(f"module 'clusterkg.endpoint' has no attribute {name!r}")
    from clusterkg.endpoint.app import create_app

    return create_app
