"""Reading a saved ECCP cluster-organisation profile page (HTML or text) into its fields, in page order.

The European Cluster Collaboration Platform has no API or bulk export: a profile is an HTML page, in an
older layout (``/cluster-organisations/{slug}``) or a newer one (``/content/{slug}``). Both render each
field as a label ending in a colon followed by its values, under a few section headings, so one reader
serves both, and a page saved "as text" by a browser is read the same way once the HTML has been turned
into lines. Which fields the importer knows is :mod:`clusterkg.loader.eccpimport`'s business; this module
only finds them, keeps their line numbers for the report, and never guesses at a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from clusterkg.core.errors import ClusterkgError

#: Section headings of the profile, as the page writes them (matched case-insensitively).
SECTIONS = (
    "General Information",
    "Sectoral and Industrial Focus",
    "Composition of the cluster",
    "Cluster Strategy",
    "Cooperation Activities",
    "International Cooperation",
    "European Cooperation",
    "Support Programmes",
)
#: Page furniture that is neither a field nor a value.
_CHROME = {"primary tabs", "printer-friendly versionprinter-friendly version", "printer-friendly version"}
_SECTION_KEYS = {s.lower(): s for s in SECTIONS}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "section", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "noscript", "template", "head"}
_LAYOUTS = (("/cluster-organisations/", "cluster-organisations"), ("/content/", "content"))


def field_key(label: str) -> str:
    """The label without its colon, case and spacing: the key the importer's field table uses."""
    key = re.sub(r"\s+", " ", label.strip().rstrip(":").strip().rstrip("?").strip().lower())
    return key.replace("\u2019", "'")


@dataclass(frozen=True)
class Field:
    """One field of the page: its section, its label as written, its value lines and where it starts."""

    section: str
    label: str
    values: tuple[str, ...]
    line: int

    @property
    def key(self) -> str:
        return field_key(self.label)


@dataclass(frozen=True)
class Page:
    """A profile page read into fields; ``url`` and ``layout`` only when the saved page says them."""

    name: str
    title: str
    fields: tuple[Field, ...]
    text: str
    url: str | None = None
    layout: str | None = None
    breadcrumb: tuple[str, ...] = field(default_factory=tuple)

    def get(self, key: str) -> Field | None:
        for f in self.fields:
            if f.key == key:
                return f
        return None


class _TextOfHtml(HTMLParser):
    """HTML to lines: a line break at every block element, list items numbered as the page shows them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self.title = ""
        self.in_title = False
        self.url: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and a.get("rel") == "canonical" and a.get("href"):
            self.url = a["href"]
        if tag == "meta" and a.get("property") == "og:url" and a.get("content") and not self.url:
            self.url = a["content"]
        if tag == "title":
            self.in_title = True
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if tag in ("ol", "ul"):
            self.lists.append([tag == "ol", 0])
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li" and self.lists:
            ordered, n = self.lists[-1]
            self.lists[-1][1] = n + 1
            self.parts.append(f"{n + 1}. " if ordered else "• ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        if not self.skip:
            self.parts.append(data.replace("\xa0", " "))


def html_to_lines(html: str) -> tuple[list[str], str | None]:
    """The visible text of an HTML page as lines (the page's canonical URL too, if it gives one)."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")], parser.url


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith("<!doctype html") or head.startswith("<html") or "<body" in head or "<div" in head


def read_pages(path: Path) -> list[Page]:
    """The profiles in one file: a saved page (HTML or text), or an export of ours (JSON or CSV)."""
    if path.suffix.lower() not in (".json", ".csv"):
        return [read_page(path)]
    from clusterkg.loader.eccpexport import profiles_from_csv, profiles_from_json

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ClusterkgError(f"{path}: cannot read: {getattr(err, 'strerror', None) or err}") from None
    profiles = (
        profiles_from_json(text, str(path)) if path.suffix.lower() == ".json" else profiles_from_csv(text, str(path))
    )
    from clusterkg.loader.eccpexport import as_page_text

    return [parse_page(as_page_text(p), name=f"{path}#{i}") for i, p in enumerate(profiles, start=1)]


def read_page(path: Path) -> Page:
    """Read one saved profile page; a file that is not a profile raises a one-line error naming it."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ClusterkgError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ClusterkgError(f"{path}: not UTF-8 text (byte {err.start})") from None
    return parse_page(text, name=str(path))


def parse_page(text: str, *, name: str = "(page)") -> Page:
    """Split a page (HTML or the text a browser saves) into title and fields, keeping line numbers."""
    url = None
    if looks_like_html(text):
        lines, url = html_to_lines(text)
    else:
        lines = [re.sub(r"\s+", " ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    numbered = [(i + 1, line) for i, line in enumerate(lines) if line]
    if not numbered:
        raise ClusterkgError(f"{name}: empty page")
    breadcrumb: tuple[str, ...] = ()
    pos = 0
    if " > " in numbered[0][1] and numbered[0][1].lower().startswith("home"):
        breadcrumb = tuple(p.strip() for p in numbered[0][1].split(" > "))
        pos = 1
    if pos >= len(numbered):
        raise ClusterkgError(f"{name}: no title after the breadcrumb")
    title = numbered[pos][1]
    pos += 1
    fields: list[Field] = []
    section = ""
    current: tuple[str, int] | None = None  # (label, line)
    values: list[str] = []

    def close() -> None:
        if current is not None:
            fields.append(Field(section, current[0], tuple(values), current[1]))

    for lineno, line in numbered[pos:]:
        low = line.lower()
        if low in _CHROME:
            continue
        if low in _SECTION_KEYS:
            close()
            section = _SECTION_KEYS[low]
            # A section's own text (e.g. the strategy) is a field named after the section.
            current, values = (section, lineno), []
            continue
        if line.endswith(":") and len(line) <= 250:
            close()
            current, values = (line.rstrip(), lineno), []
            continue
        if current is None:
            continue  # text before the first section (page furniture)
        values.append(line)
    close()
    # Section pseudo-fields with no text of their own are structure, not fields.
    fields = [f for f in fields if f.label not in SECTIONS or f.values]
    if not any(f.label not in SECTIONS for f in fields):
        raise ClusterkgError(f"{name}: no profile fields found (is this an ECCP cluster-organisation profile?)")
    layout = next((lay for marker, lay in _LAYOUTS if url and marker in url), None)
    return Page(name, title, tuple(fields), text, url, layout, breadcrumb)
