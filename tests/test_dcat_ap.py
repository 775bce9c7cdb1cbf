"""DCAT-AP: the catalogue a data portal harvests, the dumps it describes, and the shapes it is held to.

The server's ``/catalog`` and the ``catalog.ttl`` of ``clusterkg export --dump DIR`` come from the same
code; each states the size and SHA-256 of every dump, and these tests fetch or read every dump and
compare. The DCAT-AP shapes (``shapes/dcat-ap-shapes.ttl``) are checked on a small valid catalogue and
on one broken copy per mandatory property, which must fail on the node that lost it.
"""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from clusterkg.core.resources import dcat_ap_shapes_graph, shape_files
from clusterkg.core.store import open_store
from clusterkg.loader.validation import ValidationReport, validate_against
from conftest import Server, clusterkg_command, start_server, stop_server

SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open namespaces: pytest probes closed ones noisily
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
BASE = "https://w3id.org/clusterkg/"
CATALOGUE = URIRef(BASE + "catalog")
DATASET = URIRef(BASE + ".well-known/void#dataset")
SERVICE = URIRef(BASE + "catalog#sparql-service")
CURATORS = URIRef(BASE + "id/org/clusterkg-curators")
LICENCE = URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")
PERSON = b"<http://xmlns.com/foaf/0.1/Person>"


def check(graph: Graph) -> ValidationReport:
    return validate_against(graph, dcat_ap_shapes_graph(), default_file="catalogue")


def dumps_of(graph: Graph) -> dict[URIRef, tuple[str, int, str]]:
    """Each dump distribution: (download URL, byteSize, SHA-256) as the description states them."""
    found = {}
    for dist in graph.objects(DATASET, DCAT.distribution):
        url = graph.value(dist, DCAT.downloadURL)
        if url is None:
            continue  # the SPARQL endpoint
        checksum = graph.value(dist, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        found[dist] = (str(url), int(graph.value(dist, DCAT.byteSize)), str(graph.value(checksum, SPDX.checksumValue)))
    return found


def canonical_data_graphs(store: Path) -> ox.Dataset:
    """The store's data graphs (not the merged default graph, the load records or the network), canonicalised."""
    with open_store(store, read_only=True) as read:
        dataset = ox.Dataset(
            q
            for q in read
            if isinstance(q.graph_name, ox.NamedNode)
            and not q.graph_name.value.endswith(("/graph/loads", "/graph/network"))
        )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def fetch(url: str, accept: str = "*/*") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), err.read()


# ---------------------------------------------------------------------------------------------
# The served catalogue, over real HTTP
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(loaded_store: Path) -> Iterator[Server]:
    running = start_server(loaded_store, "--workers", "1")
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def served_catalogue(served: Server) -> Graph:
    status, media_type, body = fetch(served.url + "/catalog", "text/turtle")
    assert (status, media_type) == (200, "text/turtle")
    return Graph().parse(data=body, format="turtle")


def test_the_served_catalogue_conforms_to_the_dcat_ap_shapes(served_catalogue: Graph) -> None:
    report = check(served_catalogue)
    assert report.conforms(), "\n".join(report.lines())
    assert (CATALOGUE, DCAT.dataset, DATASET) in served_catalogue
    assert (CATALOGUE, DCAT.service, SERVICE) in served_catalogue
    assert served_catalogue.value(CURATORS, FOAF.name) == Literal("clusterkg curators", lang="en")
    assert (DATASET, DCTERMS.license, LICENCE) in served_catalogue
    # the spatial coverage comes from the data: Serbia, where the clusters of the brochure are
    assert (DATASET, DCTERMS.spatial, URIRef(BASE + "id/place/serbia")) in served_catalogue
    # no contact point is invented: its absence is noted instead
    assert served_catalogue.value(DATASET, DCAT.contactPoint) is None
    assert "No dcat:contactPoint" in str(served_catalogue.value(DATASET, SKOS.editorialNote))


def test_the_sparql_endpoint_is_a_data_service_serving_the_dataset(served: Server, served_catalogue: Graph) -> None:
    assert (SERVICE, RDF.type, DCAT.DataService) in served_catalogue
    assert served_catalogue.value(SERVICE, DCAT.endpointURL) == URIRef(served.url + "/sparql")
    assert (SERVICE, DCAT.servesDataset, DATASET) in served_catalogue
    assert (SERVICE, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")) in served_catalogue
    status, _, _ = fetch(str(served_catalogue.value(SERVICE, DCAT.endpointURL)) + "?query=ASK%7B%7D")
    assert status == 200


def test_every_served_dump_is_the_size_and_checksum_the_catalogue_states(
    served: Server, served_catalogue: Graph, loaded_store: Path
) -> None:
    dumps = dumps_of(served_catalogue)
    with open_store(loaded_store, read_only=True) as store:
        graphs = {g.value for g in store.named_graphs()} - {BASE + "graph/loads", BASE + "graph/network"}
    assert len(dumps) == len(graphs) + 1  # one per data graph and the whole dump
    for url, size, sha256 in dumps.values():
        assert url.startswith(served.url + "/dumps/")
        status, media_type, body = fetch(url)
        assert (status, media_type) == (200, "application/gzip"), url
        assert (len(body), hashlib.sha256(body).hexdigest()) == (size, sha256), url


def test_an_unknown_dump_is_404(served: Server) -> None:
    status, _, body = fetch(served.url + "/dumps/nothing.nt.gz")
    assert status == 404 and b"/catalog" in body


def test_the_catalogue_in_other_formats_and_for_browsers(served: Server) -> None:
    status, media_type, body = fetch(served.url + "/catalog", "application/ld+json")
    assert (status, media_type) == (200, "application/ld+json")
    assert (CATALOGUE, RDF.type, DCAT.Catalog) in Graph().parse(data=body, format="json-ld")
    status, media_type, body = fetch(served.url + "/catalog", "text/html,*/*;q=0.8")
    assert (status, media_type) == (200, "text/html")
    assert b"clusterkg-all.nq.gz" in body and b"dcat:Catalog" in body


def test_void_and_the_home_page_link_to_the_catalogue(served: Server) -> None:
    _, _, void = fetch(served.url + "/.well-known/void", "text/turtle")
    assert (DATASET, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef(served.url + "/catalog")) in (
        Graph().parse(data=void, format="turtle")
    )
    _, _, home = fetch(served.url + "/", "text/html")
    assert b'href="/catalog"' in home


# ---------------------------------------------------------------------------------------------
# clusterkg export --dump DIR
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dump_dir(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dump") / "dcat"
    proc = subprocess.run(
        [*clusterkg_command(), "export", "--store", str(loaded_store), "--dump", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "catalog.ttl (DCAT-AP)" in proc.stderr
    return out


def test_export_dump_writes_exactly_the_files_it_describes(dump_dir: Path) -> None:
    catalogue = Graph().parse(dump_dir / "catalog.ttl", format="turtle")
    assert check(catalogue).conforms(), "\n".join(check(catalogue).lines())
    described = dumps_of(catalogue)
    names = {url.rsplit("/", 1)[1] for url, _, _ in described.values()}
    assert {p.name for p in dump_dir.iterdir()} == names | {"catalog.ttl"}
    for url, size, sha256 in described.values():
        assert url.startswith(BASE + "dumps/")  # the base maps onto the server, which serves /dumps/
        data = (dump_dir / url.rsplit("/", 1)[1]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha256), url
    assert "clusterkg-all.nq.gz" in names and "brochure-2009.nt.gz" in names


def test_the_served_dumps_are_the_files_export_writes(dump_dir: Path, served_catalogue: Graph) -> None:
    """One store, one state: the server and the CLI produce the same bytes (dumps are deterministic)."""
    served = {url.rsplit("/", 1)[1]: (size, sha) for url, size, sha in dumps_of(served_catalogue).values()}
    exported = {url.rsplit("/", 1)[1]: (size, sha) for url, size, sha in dumps_of(
        Graph().parse(dump_dir / "catalog.ttl", format="turtle")
    ).values()}  # fmt: skip
    assert served == exported


def test_the_dumps_of_the_graphs_load_back_into_the_same_graphs(run_cli, dump_dir, loaded_store, tmp_path) -> None:
    fresh = tmp_path / "from-graph-dumps"
    graph_dumps = sorted(str(p) for p in dump_dir.glob("*.nt.gz"))
    loaded = run_cli("load", *graph_dumps, "--store", str(fresh))
    assert loaded.returncode == 0, loaded.stderr
    assert canonical_data_graphs(fresh) == canonical_data_graphs(loaded_store)


def test_the_whole_dump_loads_back_into_the_same_graphs(run_cli, dump_dir, loaded_store, tmp_path) -> None:
    fresh = tmp_path / "from-whole-dump"
    loaded = run_cli("load", str(dump_dir / "clusterkg-all.nq.gz"), "--store", str(fresh))
    assert loaded.returncode == 0, loaded.stderr
    assert canonical_data_graphs(fresh) == canonical_data_graphs(loaded_store)


def test_withheld_personal_data_is_not_in_any_dump(run_cli, dump_dir, loaded_store, tmp_path) -> None:
    everything = gzip.decompress((dump_dir / "clusterkg-all.nq.gz").read_bytes())
    assert PERSON in everything  # the bundled data names people: the check below could fail

    out = tmp_path / "withheld"
    result = run_cli("export", "--store", str(loaded_store), "--dump", str(out), "--withhold-personal-data")
    assert result.returncode == 0, result.stderr
    catalogue = Graph().parse(out / "catalog.ttl", format="turtle")
    for url, size, sha256 in dumps_of(catalogue).values():
        data = (out / url.rsplit("/", 1)[1]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha256)
        assert PERSON not in gzip.decompress(data), url
    assert b"Vijatov" in everything and b"Vijatov" not in gzip.decompress((out / "clusterkg-all.nq.gz").read_bytes())


def test_dump_url_sets_the_download_urls(run_cli, loaded_store, tmp_path) -> None:
    out = tmp_path / "published"
    result = run_cli(
        "export", "--store", str(loaded_store), "--dump", str(out), "--dump-url", "https://data.example.org/ckg"
    )
    assert result.returncode == 0, result.stderr
    urls = {url for url, _, _ in dumps_of(Graph().parse(out / "catalog.ttl", format="turtle")).values()}
    assert "https://data.example.org/ckg/clusterkg-all.nq.gz" in urls
    assert all(u.startswith("https://data.example.org/ckg/") for u in urls)


@pytest.mark.parametrize("where", ["a-file", "a-file/below"])
def test_an_unwritable_dump_folder_is_one_line_and_exit_2(run_cli, loaded_store, tmp_path, where) -> None:
    (tmp_path / "a-file").write_text("not a folder\n")
    result = run_cli("export", "--store", str(loaded_store), "--dump", str(tmp_path / where))
    assert result.returncode == 2
    assert result.stderr.startswith("clusterkg: error: ") and len(result.stderr.strip().splitlines()) == 1
    assert str(tmp_path / where) in result.stderr
    assert "Traceback" not in result.stderr


def test_dump_does_not_mix_with_output_options(run_cli, loaded_store, tmp_path) -> None:
    result = run_cli("export", "--store", str(loaded_store), "--dump", str(tmp_path / "d"), "-o", "x.trig")
    assert result.returncode == 2 and "--dump DIR writes every data graph" in result.stderr
    assert not (tmp_path / "d").exists()


# ---------------------------------------------------------------------------------------------
# The DCAT-AP shapes: a valid catalogue, and one broken copy per mandatory property
# ---------------------------------------------------------------------------------------------

EX = Namespace("https://example.org/")
VALID = f"""
@prefix dcat: <{DCAT}> . @prefix dcterms: <{DCTERMS}> . @prefix foaf: <{FOAF}> .
@prefix spdx: <{SPDX}> . @prefix xsd: <{XSD}> . @prefix ex: <{EX}> .
ex:catalogue a dcat:Catalog ; dcterms:title "A catalogue"@en ; dcterms:description "Of one dataset."@en ;
    dcterms:publisher ex:publisher ; dcterms:license <{LICENCE}> ; dcat:dataset ex:dataset ; dcat:service ex:service .
ex:publisher a foaf:Agent ; foaf:name "The publisher"@en .
ex:dataset a dcat:Dataset ; dcterms:title "A dataset"@en ; dcterms:description "Some triples."@en ;
    dcterms:license <{LICENCE}> ; dcterms:publisher ex:publisher ; dcat:distribution ex:dump .
ex:dump a dcat:Distribution ; dcat:accessURL <https://example.org/dump.nt.gz> ;
    dcat:downloadURL <https://example.org/dump.nt.gz> ; dcterms:license <{LICENCE}> ;
    dcat:byteSize "1234"^^xsd:nonNegativeInteger ; spdx:checksum ex:checksum .
ex:checksum a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;
    spdx:checksumValue "{"ab" * 32}"^^xsd:hexBinary .
ex:service a dcat:DataService ; dcterms:title "A SPARQL endpoint"@en ;
    dcat:endpointURL <https://example.org/sparql> ; dcterms:license <{LICENCE}> ; dcat:servesDataset ex:dataset .
"""


def test_a_valid_catalogue_conforms() -> None:
    report = check(Graph().parse(data=VALID, format="turtle"))
    assert report.conforms() and not report.results, report.lines()


@pytest.mark.parametrize(
    ("node", "path"),
    [
        (EX.catalogue, DCTERMS.title),
        (EX.catalogue, DCTERMS.description),
        (EX.catalogue, DCTERMS.publisher),
        (EX.catalogue, DCAT.dataset),
        (EX.catalogue, DCTERMS.license),
        (EX.dataset, DCTERMS.title),
        (EX.dataset, DCTERMS.description),
        (EX.dataset, DCTERMS.license),
        (EX.dump, DCAT.accessURL),
        (EX.dump, DCTERMS.license),
        (EX.service, DCAT.endpointURL),
        (EX.service, DCTERMS.title),
        (EX.service, DCTERMS.license),
        (EX.publisher, FOAF.name),
        (EX.checksum, SPDX.checksumValue),
    ],
)
def test_a_missing_mandatory_property_fails_on_its_node(node: URIRef, path: URIRef) -> None:
    graph = Graph().parse(data=VALID, format="turtle")
    graph.remove((node, path, None))
    report = check(graph)
    assert not report.conforms()
    prefix = {str(DCTERMS): "dcterms:", str(DCAT): "dcat:", str(FOAF): "foaf:"}
    name = next((p + str(path)[len(ns) :] for ns, p in prefix.items() if str(path).startswith(ns)), str(path))
    assert any(r.focus == str(node) and r.path == name for r in report.results), report.lines()
    assert any(f"<{node}>" in line for line in report.lines())


@pytest.mark.parametrize(
    ("node", "path", "bad"),
    [
        (EX.dump, DCAT.byteSize, Literal("1.5 MB")),
        (EX.checksum, SPDX.checksumValue, Literal("not hex")),
        (EX.dump, DCAT.accessURL, Literal("https://example.org/dump.nt.gz")),
        (EX.catalogue, DCTERMS.publisher, BNode()),  # an agent without a name
    ],
)
def test_a_malformed_value_fails_on_its_node(node: URIRef, path: URIRef, bad) -> None:
    graph = Graph().parse(data=VALID, format="turtle")
    graph.set((node, path, bad))
    report = check(graph)
    assert not report.conforms()
    assert any(r.focus == str(node) for r in report.results), report.lines()


def test_the_dcat_ap_shapes_are_not_applied_to_the_data() -> None:
    """They describe the catalogue; the loader's shapes leave them out (a cluster is no dcat:Dataset)."""
    assert "dcat-ap-shapes.ttl" not in {f.name for f in shape_files()}
    assert len(dcat_ap_shapes_graph()) > 0
