"""SPARQL Update at /update: off without a token, bearer-protected, protocol errors before any write."""

from __future__ import annotations

import pytest

from clusterkg.core.settings import Settings
from clusterkg.endpoint import create_app
from clusterkg.endpoint.update import with_dataset

TOKEN = "secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def writer(loaded_store):
    app = create_app(Settings.from_env({}, store=loaded_store, update_token=TOKEN))
    app.config["TESTING"] = True
    return app.test_client()


def test_updates_are_off_without_a_token(client):
    response = client.post("/update", data="CLEAR ALL", content_type="application/sparql-update")
    assert response.status_code == 403
    assert "updates are off" in response.get_data(as_text=True)


def test_a_wrong_or_missing_token_is_refused(writer):
    for headers in ({}, {"Authorization": "Bearer nope"}):
        response = writer.post("/update", data="CLEAR ALL", content_type="application/sparql-update", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("CLEAR XYZ", "application/sparql-update", 400),
        ("CLEAR ALL", "text/plain", 415),
        ("CLEAR ALL", "application/sparql-update; charset=UTF-16", 415),
        ("update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", "application/x-www-form-urlencoded", 400),
    ],
)
def test_protocol_errors(writer, data, content_type, status):
    response = writer.post("/update", data=data, content_type=content_type, headers=AUTH)
    assert response.status_code == status, response.get_data(as_text=True)


def test_get_is_not_an_update(writer):
    assert writer.get("/update?update=CLEAR%20ALL", headers=AUTH).status_code == 405


def test_an_update_is_refused_at_sparql(client):
    response = client.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update")
    assert response.status_code == 400


def test_protocol_dataset_becomes_using_clauses():
    text = "PREFIX ex: <http://ex/> INSERT { GRAPH <http://g> { ?s a ex:T } } WHERE { ?s a ex:U }"
    rewritten = with_dataset(text, ["http://a"], ["http://b"])
    assert "USING <http://a> USING NAMED <http://b> WHERE" in rewritten
    assert with_dataset("DELETE WHERE { ?s ?p ?o }", ["http://a"], []) == "DELETE WHERE { ?s ?p ?o }"
    with pytest.raises(ValueError):
        with_dataset("WITH <http://x> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://a"], [])
