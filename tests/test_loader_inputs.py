"""What the loader reads: six RDF formats, gzip, directories, and clear refusals of bad or unsafe input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from clusterkg.core.errors import ClusterkgError, ParseError
from clusterkg.loader import discover, read_source

EX = "http://example.org/"
TURTLE = f'@prefix ex: <{EX}> .\nex:a ex:name "Niš"@sr-Latn .\n'
SAMPLES = {
    "sample.ttl": TURTLE,
    "sample.nt": f'<{EX}a> <{EX}name> "Niš"@sr-Latn .\n',
    "sample.trig": f'@prefix ex: <{EX}> .\nex:g {{ ex:a ex:name "Niš"@sr-Latn . }}\n',
    "sample.nq": f'<{EX}a> <{EX}name> "Niš"@sr-Latn <{EX}g> .\n',
    "sample.jsonld": json.dumps({"@id": f"{EX}a", f"{EX}name": {"@value": "Niš", "@language": "sr-Latn"}}),
    "sample.rdf": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}a"><ex:name xml:lang="sr-Latn">Niš</ex:name>'
        "</rdf:Description></rdf:RDF>\n"
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_format_reads_the_same_triple(tmp_path, name):
    path = tmp_path / name
    path.write_text(SAMPLES[name], encoding="utf-8")
    source = read_source(path)
    assert [(q.subject.value, q.object.value) for q in source.quads] == [(f"{EX}a", "Niš")]


@pytest.mark.parametrize(
    ("name", "graph"), [("sample.ttl", "https://w3id.org/clusterkg/graph/sample"), ("sample.trig", f"{EX}g")]
)
def test_triples_go_to_the_files_graph_and_quads_keep_theirs(tmp_path, name, graph):
    path = tmp_path / name
    path.write_text(SAMPLES[name], encoding="utf-8")
    assert {q.graph_name.value for q in read_source(path).quads} == {graph}


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("base", ["https://w3id.org/clusterkg/", "https://clusters.example.eu/"])
def test_the_graphs_a_source_writes_to_are_those_of_its_quads(tmp_path, name, base):
    """A triple format's one graph is known without a look at each quad; the answer is the same."""
    path = tmp_path / name
    path.write_text(SAMPLES[name], encoding="utf-8")
    source = read_source(path, base=base)
    assert source.single_graph == (name not in ("sample.trig", "sample.nq"))
    assert source.graphs == {q.graph_name.value for q in source.quads} | {source.graph}


def test_gzip_compressed_files_are_read_and_named_without_gz(tmp_path):
    path = tmp_path / "clusters.ttl.gz"
    path.write_bytes(gzip.compress(TURTLE.encode()))
    source = read_source(path)
    assert source.graph == "https://w3id.org/clusterkg/graph/clusters"
    assert len(source.quads) == 1


def test_directories_are_searched_recursively_for_rdf_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.ttl").write_text(TURTLE)
    (tmp_path / "a" / "b" / "two.nt.gz").write_bytes(gzip.compress(SAMPLES["sample.nt"].encode()))
    (tmp_path / "a" / "notes.txt").write_text("not rdf")
    found = discover([tmp_path / "a"])
    assert {p.name for p in found} == {"one.ttl", "two.nt.gz"}
    assert found == sorted(found)  # a stable order, so loads are reproducible


def test_an_unknown_extension_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(ClusterkgError, match="unknown RDF format"):
        discover([path])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("wrong.ttl", SAMPLES["sample.rdf"], "the extension says Turtle but the content looks like RDF/XML"),
        ("wrong.nt", SAMPLES["sample.jsonld"], "looks like JSON-LD"),
        ("wrong.jsonld", TURTLE, "not a JSON object or array"),
        ("wrong.rdf", TURTLE, "does not start with '<'"),
    ],
)
def test_content_that_contradicts_its_extension_is_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ParseError, match=message):
        read_source(path)


def test_a_syntax_error_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text(f'@prefix ex: <{EX}> .\nex:a ex:b ex:c .\nex:a ex:b "never closed .\n')
    with pytest.raises(ParseError) as caught:
        read_source(path)
    assert str(caught.value).startswith(f"{path}:3:")
    assert (caught.value.line, caught.value.column) == (3, 11)


def test_invalid_utf8_is_a_parse_error(tmp_path):
    path = tmp_path / "latin1.ttl"
    path.write_bytes(f'<{EX}a> <{EX}name> "Ni'.encode() + b"\xe8" + b'" .\n')
    with pytest.raises(ParseError, match=str(path)):
        read_source(path)


def test_binary_content_is_refused(tmp_path):
    path = tmp_path / "image.ttl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ParseError, match="not a text file"):
        read_source(path)


def test_jsonld_remote_contexts_are_not_fetched(tmp_path):
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": f"{EX}a", "name": "x"}))
    with pytest.raises(ParseError, match="remote JSON-LD contexts are not fetched"):
        read_source(path)


def test_rdfxml_external_entities_are_refused(tmp_path):
    path = tmp_path / "xxe.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">'
        f'<rdf:Description rdf:about="{EX}a"><ex:p>&secret;</ex:p></rdf:Description></rdf:RDF>\n'
    )
    with pytest.raises(ParseError, match="external or parameter XML entity 'secret' refused"):
        read_source(path)


def test_rdfxml_entity_expansion_is_refused(tmp_path):
    levels = ['<!ENTITY e0 "ha">'] + [f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 9)]
    path = tmp_path / "laughs.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{"".join(levels)}]>\n'
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">'
        f'<rdf:Description rdf:about="{EX}a"><ex:p>&e8;</ex:p></rdf:Description></rdf:RDF>\n'
    )
    with pytest.raises(ParseError, match="nested expansion is refused"):
        read_source(path)


def test_simple_internal_entities_as_ontology_editors_write_them_are_fine(tmp_path):
    path = tmp_path / "editor.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ex "{EX}">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="&ex;">'
        '<rdf:Description rdf:about="&ex;a"><ex:p>x</ex:p></rdf:Description></rdf:RDF>\n'
    )
    assert read_source(path).quads[0].subject.value == f"{EX}a"


def test_a_missing_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ClusterkgError, match="no such file or directory"):
        discover([tmp_path / "absent.ttl"])


def test_a_missing_last_file_fails_before_any_file_is_parsed(tmp_path: Path):
    """A mistyped name at the end of a long command line fails at once, not after the parse of the rest:
    the broken file before it is never read."""
    from clusterkg.loader.inputs import read_paths

    broken = tmp_path / "broken.ttl"
    broken.write_text(f"<{EX}a> <{EX}p> .\n")
    with pytest.raises(ParseError):
        read_paths([broken])
    with pytest.raises(ClusterkgError, match=r"absent\.ttl: no such file or directory"):
        read_paths([broken, tmp_path / "absent.ttl"])
