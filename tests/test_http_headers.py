"""Headers every route shares: CORS on reads, gzip for large text answers, nosniff."""

from __future__ import annotations

import gzip
import json

QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"


def test_reads_allow_any_origin(client):
    response = client.get("/sparql", query_string={"query": QUERY}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_query_posts_allow_any_origin(client):
    response = client.post("/sparql", data=QUERY, content_type="application/sparql-query")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_large_answers_are_gzipped_when_the_client_accepts_it(client):
    plain = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "application/sparql-results+json"})
    zipped = client.get(
        "/sparql",
        query_string={"query": QUERY},
        headers={"Accept": "application/sparql-results+json", "Accept-Encoding": "gzip, deflate"},
    )
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    body = gzip.decompress(zipped.get_data())
    assert json.loads(body) == json.loads(plain.get_data())
    assert len(zipped.get_data()) < len(body) / 3


def test_small_answers_are_not_compressed(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
