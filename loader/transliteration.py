"""Serbian Latin → Serbian Cyrillic transliteration.

Serbian is written in two scripts with a one-to-one letter correspondence (Vuk Karadžić's
alphabet and Gaj's Latin alphabet), so every name given in ``@sr-Latn`` can also be offered in
``@sr-Cyrl`` and users can search and read in either. The digraphs lj, nj and dž are single
letters (љ, њ, џ); the rare words where they are two letters (e.g. "konjugacija") are not
handled — names in this graph do not contain them. Roman numerals ("Kralja Petra I") stay Latin,
as Serbian Cyrillic text writes them.
"""

from __future__ import annotations

import re
import unicodedata

_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ"}
_LETTERS = dict(
    zip(
        "abvgdđežzijklmnoprstćufhcčš",
        "абвгдђежзијклмнопрстћуфхцчш",
        strict=True,
    )
)


_ROMAN_NUMERAL = re.compile(r"\b[IVXLCDM]+\b")


def latin_to_cyrillic(text: str) -> str:
    """Transliterate Serbian Latin ``text``; characters that are not Serbian letters pass through."""
    text = unicodedata.normalize("NFC", text)
    pieces = _ROMAN_NUMERAL.split(text)
    numerals = _ROMAN_NUMERAL.findall(text)
    out = [_letters(pieces[0])]
    for numeral, piece in zip(numerals, pieces[1:], strict=True):
        out += [numeral, _letters(piece)]
    return "".join(out)


def _letters(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        cyr = _DIGRAPHS.get(pair.lower())
        if cyr is not None:
            # "Lj" and "LJ" are both the capital letter Љ.
            out.append(cyr.upper() if pair[0].isupper() else cyr)
            i += 2
            continue
        ch = text[i]
        low = ch.lower()
        if low in _LETTERS:
            cyr = _LETTERS[low]
            out.append(cyr.upper() if ch.isupper() else cyr)
        else:
            out.append(ch)
        i += 1
    return "".join(out)
