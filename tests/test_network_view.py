"""The network view at /network: cytoscape.js from the package's static files, driven by headless Chromium.

The page fills its filters from /api/network/facets and draws /api/network?format=cytoscape. The
browser test loads it from a real ``clusterkg serve`` (requests to any other host are aborted and fail
the test), checks that what is drawn is what the API answers for the same filters, changes the tie
kinds, the country and the node-size measure, keeps a screenshot in ``test-artifacts/network.png``
and follows a click on the Vojvodina Metal Cluster to its linked-data page.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import clusterkg.endpoint
from conftest import ARTIFACTS, Server, offline_browser

STATIC = Path(clusterkg.endpoint.__file__).parent / "static"
TEMPLATES = Path(clusterkg.endpoint.__file__).parent / "templates"
VMC = "https://w3id.org/clusterkg/id/cluster/vojvodina-metal-cluster"
VMC_PAGE = "/id/cluster/vojvodina-metal-cluster"
READY = "body[data-network-ready=true]"
# Each node's id and position (whole pixels); each node's id, width on screen and in the model, and PageRank.
POSITIONS = (
    "() => window.clusterkgNetwork.nodes().map((n) => [n.id(), Math.round(n.position().x), Math.round(n.position().y)])"
)
SIZES = "() => window.clusterkgNetwork.nodes().map((n) => [n.id(), n.renderedWidth(), n.width(), n.data('pageRank')])"


def get_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200, url
        return json.loads(response.read().decode("utf-8"))


def api_network(server: Server, params: list[tuple[str, str]]) -> dict:
    """What /api/network answers in the cytoscape format for the filter ``params``."""
    return get_json(f"{server.url}/api/network?{urlencode([('format', 'cytoscape'), *params])}")["elements"]


def drawn(page) -> dict:  # type: ignore[no-untyped-def]
    """The ids of the nodes and edges the page has drawn, and the kinds of its edges."""
    return page.evaluate(
        """() => {
          const cy = window.clusterkgNetwork;
          return {
            nodes: cy.nodes().map((n) => n.id()).sort(),
            edges: cy.edges().map((e) => e.id()).sort(),
            kinds: [...new Set(cy.edges().map((e) => e.data("kind")))].sort(),
          };
        }"""
    )


def ids(elements: dict, group: str) -> list[str]:
    return sorted(item["data"]["id"] for item in elements[group])


def test_network_assets_are_installed_with_the_package() -> None:
    """cytoscape.js, its licence and the page's own script are package data: no npm and no CDN at run time."""
    for name in (
        "cytoscape/cytoscape.min.js",
        "cytoscape/LICENSE",
        "cytoscape/VERSION",
        "network.js",
        "network.css",
    ):
        assert (STATIC / name).is_file(), f"{name} is missing from the installed package's static files"
    assert (TEMPLATES / "network.html").is_file()
    version = (STATIC / "cytoscape/VERSION").read_text(encoding="utf-8")
    assert re.fullmatch(r"cytoscape 3\.\d+\.\d+\n", version), version
    assert version.split()[1] in (STATIC / "cytoscape/cytoscape.min.js").read_text(encoding="utf-8")
    assert "Permission is hereby granted" in (STATIC / "cytoscape/LICENSE").read_text(encoding="utf-8")
    total = sum(f.stat().st_size for f in STATIC.rglob("*") if f.is_file())
    assert total < 3_000_000, f"static files take {total} bytes"


def test_network_page_references_only_local_assets(server: Server) -> None:
    """The HTML of /network loads scripts and styles from /static/ only, and links the downloads for no-JS."""
    request = urllib.request.Request(server.url + "/network", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        html = response.read().decode("utf-8")
    assert "<title>Collaboration networks" in html
    assets = re.findall(r'<(script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert {url for _, url in assets} >= {"/static/cytoscape/cytoscape.min.js", "/static/network.js"}
    for kind, url in assets:
        assert url.startswith("/static/"), f"<{kind}> loads {url}, not a local static file"
        with urllib.request.urlopen(server.url + url, timeout=30) as asset:
            assert asset.status == 200 and asset.read(), url
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    for fmt in ("csv-nodes", "csv-edges", "graphml"):
        assert f'href="/api/network?format={fmt}"' in noscript


def test_network_view_in_browser(server: Server, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "network.png"
    screenshot.unlink(missing_ok=True)
    facets = get_json(server.url + "/api/network/facets")
    kinds = [kind["id"] for kind in facets["kinds"]]
    assert "collaboration" in kinds
    hungary = next(c["id"] for c in facets["countries"] if c["label"] == "Hungary")

    with offline_browser(tmp_path / "chromium-profile", server.url) as browser:
        page = browser.page
        page.goto(server.url + "/network", wait_until="networkidle")
        page.wait_for_selector(READY, timeout=60_000)
        assert page.inner_text("h1") == "Collaboration networks"
        assert page.locator("#filter-kinds input[type=checkbox]").count() == len(kinds)
        assert page.locator("#network-legend li").count() == len(kinds)
        assert page.locator("#filter-country option").count() == len(facets["countries"]) + 1

        # Everything: the nodes and edges the API answers for all kinds, the cluster among them.
        everything = api_network(server, [("kind", k) for k in kinds])
        shown = drawn(page)
        assert shown["nodes"] and shown["edges"]
        assert shown["nodes"] == ids(everything, "nodes")
        assert shown["edges"] == ids(everything, "edges")
        assert page.evaluate("(id) => window.clusterkgNetwork.$id(id).length", VMC) == 1
        status = page.inner_text("#network-status")
        assert f"{len(shown['nodes'])} organisations" in status and f"{len(shown['edges'])} ties" in status

        # The same data always gives the same picture (cose from fixed initial positions, no animation).
        first = page.evaluate(POSITIONS)
        page.reload(wait_until="networkidle")
        page.wait_for_selector(READY, timeout=60_000)
        assert page.evaluate(POSITIONS) == first

        # Node size by PageRank: the node with the highest PageRank is drawn largest (60 px), the lowest smallest.
        before = page.evaluate(SIZES)
        page.select_option("#size-by", "pageRank")
        page.wait_for_selector(READY, timeout=30_000)
        after = page.evaluate(SIZES)
        assert [row[1] for row in after] != [row[1] for row in before], "no node changed its rendered width"
        assert max(after, key=lambda row: row[3])[2] == 60
        assert min(after, key=lambda row: row[3])[2] == 12
        assert "size=pageRank" in page.url

        page.screenshot(path=str(screenshot), full_page=True)

        # Only collaborations: untick every other kind; what is drawn is what the API answers for that filter.
        for kind in kinds:
            if kind != "collaboration":
                page.uncheck(f'#filter-kinds input[value="{kind}"]')
        page.wait_for_selector(READY, timeout=60_000)
        collaborations = api_network(server, [("kind", "collaboration")])
        shown = drawn(page)
        assert shown["nodes"] == ids(collaborations, "nodes")
        assert shown["edges"] == ids(collaborations, "edges")
        assert shown["kinds"] == ["collaboration"]
        assert len(shown["edges"]) < len(everything["edges"])

        # Collaborations within Hungary.
        page.select_option("#filter-country", hungary)
        page.wait_for_selector(READY, timeout=60_000)
        in_hungary = api_network(server, [("kind", "collaboration"), ("country", hungary)])
        shown = drawn(page)
        assert shown["nodes"] == ids(in_hungary, "nodes")
        assert shown["edges"] == ids(in_hungary, "edges")
        assert len(shown["nodes"]) < len(collaborations["nodes"])
        assert "Hungary" in page.inner_text("#network-status")

        # Back to all countries, then a click on the cluster opens its linked-data page.
        page.select_option("#filter-country", "")
        page.wait_for_selector(READY, timeout=60_000)
        assert drawn(page)["nodes"] == ids(collaborations, "nodes")
        box = page.locator("#network").bounding_box()
        at = page.evaluate("(id) => window.clusterkgNetwork.$id(id).renderedPosition()", VMC)
        assert box and 0 < at["x"] < box["width"] and 0 < at["y"] < box["height"]
        with page.expect_navigation():
            page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
        assert urlsplit(page.url).path == VMC_PAGE
        assert page.inner_text("h1") == "Vojvodina Metal Cluster"

    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
    assert browser.seen, "the browser made no requests at all"
    assert not browser.foreign, f"the page sent requests to other hosts: {browser.foreign}"
    assert not browser.console_errors, f"errors in the browser console: {browser.console_errors}"
