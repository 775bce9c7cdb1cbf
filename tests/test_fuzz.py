"""Bad input, fuzzed with hypothesis: every parser and HTTP route answers with a clean error and changes nothing.

The loader's parsers get random and mutated documents in every format (also as gzip); the HTTP
routes get random queries, updates, graph store bodies and paths, through the real Flask app over
a real on-disk store. The promise under test: a :class:`ClusterkgError` (one line, naming the file)
from the loader, a 2xx/4xx from the server — never a traceback, never a 500 — and the store's
content unchanged by anything refused.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterkg.core.errors import ClusterkgError
from clusterkg.core.settings import Settings
from clusterkg.endpoint import create_app
from clusterkg.loader.sources import read_source

SUFFIXES = [".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".ttl.gz"]
SEEDS = {
    ".ttl": b'@prefix ex: <http://example.org/> .\nex:a ex:b "c"@en ; ex:d ( 1 2 [ ex:e ex:f ] ) .\n',
    ".trig": b"@prefix ex: <http://example.org/> .\nex:g { ex:a ex:b ex:c . }\n",
    ".nt": b'<http://example.org/a> <http://example.org/b> "c" .\n',
    ".nq": b"<http://example.org/a> <http://example.org/b> <http://example.org/c> <http://example.org/g> .\n",
    ".jsonld": b'{"@context": {"ex": "http://example.org/"}, "@id": "ex:a", "ex:b": {"@id": "ex:c"}}',
    ".rdf": b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a"><ex:b>c</ex:b>'
    b"</rdf:Description></rdf:RDF>",
}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def mutate(seed: bytes, cut: int, insert: bytes) -> bytes:
    """The seed truncated or with bytes spliced in at ``cut``: near-valid input, where parsers break."""
    cut = cut % (len(seed) + 1)
    return seed[:cut] + insert + seed[cut:]


def _read(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"fuzzed{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    try:
        read_source(path)
    except ClusterkgError as err:
        message = str(err)
        assert "\n" not in message.strip(), message
        assert "fuzzed" in message, f"the error does not name the file: {message}"


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=400))
def test_random_bytes_in_every_format(tmp_path: Path, suffix: str, data: bytes) -> None:
    _read(tmp_path, suffix, data)


@FUZZ
@given(
    suffix=st.sampled_from(sorted(SEEDS)),
    cut=st.integers(min_value=0, max_value=400),
    insert=st.sampled_from([b"", b"<", b'"', b"{", b"}", b"\xff\xfe", b"\x00", b"@prefix", b"]]", b"&e;", b"\\u00"]),
    truncate=st.booleans(),
)
def test_truncated_and_spliced_documents(tmp_path: Path, suffix: str, cut: int, insert: bytes, truncate: bool) -> None:
    seed = SEEDS[suffix]
    data = seed[: cut % (len(seed) + 1)] if truncate else mutate(seed, cut, insert)
    _read(tmp_path, suffix, data)


def test_deeply_nested_documents_are_refused_or_read(tmp_path: Path) -> None:
    """Nesting that could exhaust a recursive parser: a clean error or a parse, never a crash."""
    _read(tmp_path, ".ttl", b"@prefix ex: <http://example.org/> . ex:a ex:b " + b"[ ex:c " * 5000 + b"]" * 5000 + b" .")
    _read(
        tmp_path,
        ".jsonld",
        b'{"@id": "http://example.org/a", "http://example.org/b": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    )
    _read(tmp_path, ".ttl", b'<http://example.org/a> <http://example.org/b> "' + b"x" * 5_000_000 + b'" .')


# --- the HTTP routes --------------------------------------------------------------------------------

TOKEN = "fuzz-token"


@pytest.fixture(scope="module")
def fuzz_store(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the loaded store that the write routes may be fuzzed against."""
    copy = tmp_path_factory.mktemp("fuzz") / "store"
    shutil.copytree(loaded_store, copy)
    return copy


@pytest.fixture(scope="module")
def fuzz_client(fuzz_store: Path):
    app = create_app(Settings.from_env({}, store=fuzz_store, update_token=TOKEN, query_timeout=10))
    app.config["TESTING"] = True
    return app.test_client()


def quads(client) -> str:
    response = client.get(
        "/sparql?query=SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


SPARQLISH = st.text(
    alphabet=st.sampled_from(
        [*list("SELECTWHERASKINSRTDAOPFUX{}()<>?$.;,:\"'#@^ \n\\*+-/=!&|"), "é", "\x00", "\ud7ff"]
    ),
    max_size=200,
)


@FUZZ
@given(query=st.one_of(st.text(max_size=300), SPARQLISH))
def test_random_queries_never_500(fuzz_client, query: str) -> None:
    for response in (
        fuzz_client.get("/sparql", query_string={"query": query}),
        fuzz_client.post(
            "/sparql", data=query.encode("utf-8", "surrogatepass"), content_type="application/sparql-query"
        ),
    ):
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code >= 400:
            assert response.mimetype == "text/plain"


@FUZZ
@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded", "text/turtle", ""]),
)
def test_random_bytes_as_requests_never_500(fuzz_client, body: bytes, content_type: str) -> None:
    response = fuzz_client.post("/sparql", data=body, content_type=content_type)
    assert response.status_code < 500, response.get_data(as_text=True)


@FUZZ
@given(update=st.one_of(SPARQLISH, st.text(max_size=200)))
def test_random_updates_never_500_and_refused_ones_change_nothing(fuzz_client, update: str) -> None:
    before = quads(fuzz_client)
    response = fuzz_client.post(
        "/update", data=update.encode("utf-8", "surrogatepass"), content_type="application/sparql-update",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )  # fmt: skip
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert quads(fuzz_client) == before


@FUZZ
@given(suffix=st.sampled_from(sorted(SEEDS)), cut=st.integers(0, 400), insert=st.binary(max_size=8))
def test_random_graph_store_bodies_never_500_and_change_nothing_when_refused(
    fuzz_client, suffix: str, cut: int, insert: bytes
) -> None:
    types = {
        ".ttl": "text/turtle",
        ".trig": "application/trig",
        ".nt": "application/n-triples",
        ".nq": "application/n-quads",
        ".jsonld": "application/ld+json",
        ".rdf": "application/rdf+xml",
    }
    before = quads(fuzz_client)
    response = fuzz_client.put(
        "/rdf-graph-store?graph=http://example.org/fuzzed", data=mutate(SEEDS[suffix], cut, insert),
        content_type=types[suffix], headers={"Authorization": f"Bearer {TOKEN}"},
    )  # fmt: skip
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert quads(fuzz_client) == before


@FUZZ
@given(path=st.lists(st.sampled_from([*"abc./\\~-_", "%2e", "%2f", "..", "%00", "é"]), max_size=20).map("".join))
def test_random_paths_never_500_and_never_leave_the_static_folder(fuzz_client, path: str) -> None:
    for prefix in ("/static/", "/id/", "/graph/", "/api/queries/"):
        response = fuzz_client.get(prefix + path)
        assert response.status_code < 500, (prefix + path, response.get_data(as_text=True)[:200])
        assert b"root:" not in response.data  # /etc/passwd


def test_path_traversal_on_static_routes(fuzz_client) -> None:
    for path in ("/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fapp.py"):
        response = fuzz_client.get(path)
        assert response.status_code == 404, path
