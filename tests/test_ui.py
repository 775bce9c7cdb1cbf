"""The browser query UI at /sparql: YASGUI from the package's static files, driven by headless Chromium.

Debian's ``chromium`` (installed by ``.ci/run``) is driven by Playwright for Python, never by a browser
Playwright downloads. The test loads the page from a real ``clusterkg serve``, fails on any request
to a host other than the server's own, clicks an example query, runs it, waits for the results table
and keeps a screenshot in ``test-artifacts/ui-sparql.png`` under the repository root.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import clusterkg.endpoint
from conftest import ARTIFACTS, Server, offline_browser, start_server, stop_server

STATIC = Path(clusterkg.endpoint.__file__).parent / "static"


def test_bundle_is_installed_with_the_package() -> None:
    """The YASGUI bundle and its licence are package data: no npm and no CDN at run time."""
    for name in ("yasgui/yasgui.min.js", "yasgui/yasgui.min.css", "yasgui/LICENSE", "sparql-ui.js", "sparql-ui.css"):
        assert (STATIC / name).is_file(), f"{name} is missing from the installed package's static files"
    total = sum(f.stat().st_size for f in STATIC.rglob("*") if f.is_file())
    assert total < 3_000_000, f"static files take {total} bytes"


def test_page_references_only_local_assets(loaded_store: Path) -> None:
    """The HTML of /sparql loads scripts and styles from /static/ only, and names the example queries."""
    server = start_server(loaded_store, "--workers", "1")
    try:
        request = urllib.request.Request(server.url + "/sparql", headers={"Accept": "text/html"})
        with urllib.request.urlopen(request, timeout=30) as response:
            html = response.read().decode("utf-8")
        for kind, url in re.findall(r'<(script|link)[^>]*(?:src|href)="([^"]+)"', html):
            assert url.startswith("/static/"), f"<{kind}> loads {url}, not a local static file"
            with urllib.request.urlopen(server.url + url, timeout=30) as asset:
                assert asset.status == 200 and asset.read(), url
        assert html.count('type="application/sparql-query"') >= 4
        assert html.count("data-example=") >= 4
    finally:
        stop_server(server)


@pytest.fixture
def ui_server(loaded_store: Path) -> Iterator[Server]:
    running = start_server(loaded_store, "--workers", "1")
    yield running
    stop_server(running)


def test_example_query_in_browser(ui_server: Server, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "ui-sparql.png"
    if screenshot.exists():
        screenshot.unlink()

    with offline_browser(tmp_path / "chromium-profile", ui_server.url) as browser:
        page = browser.page
        page.goto(ui_server.url + "/sparql", wait_until="networkidle")
        page.wait_for_selector("#yasgui .yasqe .CodeMirror", timeout=30_000)
        assert page.locator("#examples [data-example]").count() >= 4

        # One click loads the example into the editor; the query button runs it.
        page.click("#examples button:has-text('Clusters and their employees')")
        editor_text = page.evaluate("() => window.clusterkgYasgui.getTab().getQuery()")
        assert "ckg:observedOrganisation" in editor_text
        with page.expect_response(lambda r: urlsplit(r.url).path == "/sparql" and r.request.method == "POST") as rr:
            page.click("#yasgui .yasqe_queryButton")
        assert rr.value.status == 200, rr.value.text()

        page.wait_for_selector("#yasgui .yasr table.dataTable tbody tr", timeout=30_000)
        table_text = page.inner_text("#yasgui .yasr table.dataTable")
        assert "Automotive Cluster of Serbia" in table_text
        assert "8100" in table_text

        page.screenshot(path=str(screenshot), full_page=True)

        # Every other example also runs here and answers with rows.
        buttons = page.locator("#examples [data-example]")
        for i in range(1, buttons.count()):
            label = buttons.nth(i).inner_text()
            buttons.nth(i).click()
            with page.expect_response(lambda r: urlsplit(r.url).path == "/sparql" and r.request.method == "POST") as rr:
                page.click("#yasgui .yasqe_queryButton")
            assert rr.value.status == 200, f"{label}: {rr.value.text()}"
            assert rr.value.json()["results"]["bindings"], f"example {label!r} returned no rows"
            page.wait_for_selector("#yasgui .yasr table.dataTable tbody tr", timeout=30_000)

    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
    assert browser.seen, "the browser made no requests at all"
    assert not browser.foreign, f"the page sent requests to other hosts: {browser.foreign}"
    assert not browser.console_errors, f"errors in the browser console: {browser.console_errors}"


EVIL = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'


def test_markup_in_literals_is_shown_not_run_in_the_ui_and_the_pages(run_cli, tmp_path: Path) -> None:
    """A label carrying HTML and script, shown by YASGUI's results table, a resource page and the search page."""
    evil = tmp_path / "evil.ttl"
    evil.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
        f"<https://w3id.org/clusterkg/id/org/evil> a foaf:Organization ; skos:prefLabel {json.dumps(EVIL)}@en .\n",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    loaded = run_cli("load", "--bundled", "--store", str(store))
    assert loaded.returncode == 0, loaded.stderr
    loaded = run_cli("load", str(evil), "--store", str(store))
    assert loaded.returncode == 0, loaded.stderr
    server = start_server(store, "--workers", "1")
    try:
        with offline_browser(tmp_path / "profile", server.url) as browser:
            page = browser.page
            page.goto(server.url + "/sparql", wait_until="networkidle")
            page.wait_for_selector("#yasgui .yasqe .CodeMirror", timeout=30_000)
            query = (
                "SELECT ?label WHERE { <https://w3id.org/clusterkg/id/org/evil> "
                "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
            )
            page.evaluate("(q) => { window.clusterkgYasgui.getTab().setQuery(q); return true; }", query)
            page.click("#yasgui .yasqe_queryButton")
            page.wait_for_selector("#yasgui .yasr table.dataTable tbody tr", timeout=30_000)
            assert "<img" in page.inner_text("#yasgui .yasr table.dataTable")  # shown as text
            assert page.evaluate("() => window.pwned") is None
            for path in ("/id/org/evil", "/search?q=onerror"):
                page.goto(server.url + path, wait_until="networkidle")
                assert "<script>" in page.inner_text("main")
                assert page.evaluate("() => window.pwned") is None, path
        assert not browser.foreign
    finally:
        stop_server(server)
