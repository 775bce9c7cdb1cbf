"""The Flask application factory."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from clusterkg.core.settings import Settings
from clusterkg.endpoint import httpheaders
from clusterkg.endpoint.backends import EmbeddedBackend, backend_for
from clusterkg.endpoint.catalogue import catalogue
from clusterkg.endpoint.dcat import dcat
from clusterkg.endpoint.graphstore import graphstore
from clusterkg.endpoint.linkeddata import linkeddata
from clusterkg.endpoint.network import network
from clusterkg.endpoint.ontology import ontology
from clusterkg.endpoint.pages import pages
from clusterkg.endpoint.sparql import sparql
from clusterkg.endpoint.update import update
from clusterkg.endpoint.void import void


def create_app(settings: Settings | None = None) -> Flask:
    """A Flask app serving the store named by ``settings`` (read-only; opened on first request).

    With ``settings.store_endpoint`` set it serves that SPARQL server instead and opens no local store.

    Settings are read once here, by the caller, and kept on ``app.extensions["clusterkg"]``;
    nothing below reads the environment.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes * 2
    app.extensions["clusterkg"] = settings
    backend = backend_for(settings)
    app.extensions["clusterkg.backend"] = backend
    if isinstance(backend, EmbeddedBackend):
        app.extensions["clusterkg.store"] = backend.store
    app.register_blueprint(pages)
    app.register_blueprint(sparql)
    app.register_blueprint(update)
    app.register_blueprint(graphstore)
    app.register_blueprint(ontology)
    app.register_blueprint(catalogue)
    app.register_blueprint(linkeddata)
    app.register_blueprint(void)
    app.register_blueprint(dcat)
    app.register_blueprint(network)
    httpheaders.install(app)
    app.register_error_handler(HTTPException, _plain_error)
    return app


def _plain_error(err: HTTPException) -> Response:
    """Werkzeug's own errors (404, 405, 413, …) as one plain-text line, like every other error here."""
    response = err.get_response()
    response.set_data(f"{err.code} {err.name}: {err.description}\n")
    response.mimetype = "text/plain"
    response.charset = "utf-8"
    return response
