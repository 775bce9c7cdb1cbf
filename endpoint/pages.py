"""Human-facing pages: the landing page that says what the dataset is and how to query it."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from clusterkg import __version__
from clusterkg.core.errors import StoreError
from clusterkg.endpoint.backends import EmbeddedBackend, current_backend
from clusterkg.endpoint.queryrun import check_store
from clusterkg.endpoint.storeaccess import current_settings

pages = Blueprint("pages", __name__)

EXAMPLE_QUERY = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?cluster ?name WHERE {
  ?cluster a ckg:ClusterOrganisation ;
           skos:prefLabel ?name .
  FILTER(lang(?name) = "en")
}
ORDER BY ?name"""


@pages.route("/")
def landing() -> Response:
    settings = current_settings()
    try:
        counts = current_backend().graph_counts()
    except StoreError:
        counts = {}
    html = render_template(
        "index.html",
        version=__version__,
        base=settings.base,
        graphs=counts,
        total=sum(counts.values()),
        example_query=EXAMPLE_QUERY,
    )
    return Response(html, mimetype="text/html")


@pages.route("/healthz")
def healthz() -> Response:
    """200 when the store can be queried. The embedded store is asked through the query processes
    (``ASK {}``), so a worker that only answers queries never opens a store handle of its own
    (14 MiB RSS per worker, measured at 100k triples)."""
    backend = current_backend()
    try:
        if isinstance(backend, EmbeddedBackend):
            check_store()
        else:
            backend.check()
    except StoreError as err:
        return Response(f"store unavailable: {err}\n", status=503, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")
