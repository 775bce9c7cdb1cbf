"""The HTTP face of clusterkg: a SPARQL 1.1 Protocol endpoint and pages about the dataset.

Build it with :func:`create_app` from a :class:`~clusterkg.core.settings.Settings`; run it in
production with :func:`~clusterkg.endpoint.server.serve` (gunicorn, several worker processes).
"""

from clusterkg.endpoint.app import create_app

__all__ = ["create_app"]
