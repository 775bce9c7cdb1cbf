"""The Flask application factory."""

from __future__ import annotations

from flask import Flask

from clusterkg.core.settings import Settings
from clusterkg.endpoint.ontology import ontology
from clusterkg.endpoint.pages import pages
from clusterkg.endpoint.sparql import sparql
from clusterkg.endpoint.storeaccess import ReadOnlyStore


def create_app(settings: Settings | None = None) -> Flask:
    """A Flask app serving the store named by ``settings`` (read-only; opened on first request).

    Settings are read once here, by the caller, and kept on ``app.extensions["clusterkg"]``;
    nothing below reads the environment.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes * 2
    app.extensions["clusterkg"] = settings
    app.extensions["clusterkg.store"] = ReadOnlyStore(settings.store)
    app.register_blueprint(pages)
    app.register_blueprint(sparql)
    app.register_blueprint(ontology)
    return app
