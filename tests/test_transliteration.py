"""Serbian Latin names get their Cyrillic form, so users can search and read in either script."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clusterkg.loader.loading import with_cyrillic
from clusterkg.loader.transliteration import latin_to_cyrillic


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Niš", "Ниш"),
        ("Dečanska", "Дечанска"),
        ("Ljubljana", "Љубљана"),
        ("NJEGOŠ", "ЊЕГОШ"),
        ("Džep", "Џеп"),
        ("Nebojša Đorđević", "Небојша Ђорђевић"),
        ("Vukašin Pejović", "Вукашин Пејовић"),
        ("Kralja Petra I br. 17", "Краља Петра I бр. 17"),
    ],
)
def test_latin_to_cyrillic(latin, cyrillic):
    assert latin_to_cyrillic(latin) == cyrillic


def test_decomposed_accents_are_normalised_first():
    assert latin_to_cyrillic("Nis\u030c") == "Ниш"


def test_the_loader_adds_a_cyrillic_twin_to_every_serbian_latin_literal():
    s, p, g = ox.NamedNode("http://example.org/nis"), ox.NamedNode("http://example.org/name"), ox.DefaultGraph()
    quads = [
        ox.Quad(s, p, ox.Literal("Niš", language="sr-Latn"), g),
        ox.Quad(s, p, ox.Literal("Nish", language="en"), g),
    ]
    enriched = with_cyrillic(quads)
    assert ox.Quad(s, p, ox.Literal("Ниш", language="sr-Cyrl"), g) in enriched
    assert len(enriched) == 3


def test_an_existing_cyrillic_form_is_kept_not_duplicated():
    s, p, g = ox.NamedNode("http://example.org/x"), ox.NamedNode("http://example.org/name"), ox.DefaultGraph()
    quads = [
        ox.Quad(s, p, ox.Literal("Beograd", language="sr-Latn"), g),
        ox.Quad(s, p, ox.Literal("Београд", language="sr-Cyrl"), g),
    ]
    assert with_cyrillic(quads) == quads
