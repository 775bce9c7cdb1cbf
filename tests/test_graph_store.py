"""The Graph Store Protocol at /rdf-graph-store: reads for everyone, writes only with the token."""

from __future__ import annotations

import urllib.parse

import pytest

from clusterkg.core.settings import Settings
from clusterkg.endpoint import create_app

BROCHURE = "https://w3id.org/clusterkg/graph/brochure-2009"


@pytest.fixture
def writer(loaded_store):
    app = create_app(Settings.from_env({}, store=loaded_store, update_token="t"))
    app.config["TESTING"] = True
    return app.test_client()


def test_get_a_graph_as_turtle_and_ntriples(client):
    quoted = urllib.parse.quote(BROCHURE, safe="")
    response = client.get(f"/rdf-graph-store?graph={quoted}", headers={"Accept": "text/turtle; charset=utf-8"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert "ClusterOrganisation" in response.get_data(as_text=True)
    response = client.get(f"/rdf-graph-store?graph={quoted}", headers={"Accept": "application/n-triples"})
    assert response.mimetype == "application/n-triples"


def test_missing_graph_is_404_also_for_head(client):
    assert client.get("/rdf-graph-store?graph=http://www.example/none").status_code == 404
    assert client.head("/rdf-graph-store?graph=http://www.example/none").status_code == 404


def test_writes_need_the_token(client, writer):
    body = "<http://www.example/s> <http://www.example/p> <http://www.example/o> ."
    for app_client in (client, writer):
        response = app_client.put("/rdf-graph-store?graph=http://www.example/g", data=body, content_type="text/turtle")
        assert response.status_code in (401, 403)


def test_the_default_graph_is_not_written(writer):
    response = writer.put(
        "/rdf-graph-store?default", data="", content_type="text/turtle", headers={"Authorization": "Bearer t"}
    )
    assert response.status_code == 405
