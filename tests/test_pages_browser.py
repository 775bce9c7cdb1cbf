"""Linked-data pages in a real browser: from a cluster's page to its partner's page and back, and the search box.

Headless Chromium (Debian's, driven by Playwright) against a real ``clusterkg serve``; requests to
any other host are aborted and fail the test. A screenshot of the partner's page is kept in
``test-artifacts/cluster-to-partner.png``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from conftest import ARTIFACTS, Server, offline_browser

VMC = "/id/cluster/vojvodina-metal-cluster"
INNO_PRO = "/id/cluster/inno-pro-innovation-cluster-for-production"


def test_follow_a_cluster_to_its_partner_and_back(server: Server, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "cluster-to-partner.png"
    screenshot.unlink(missing_ok=True)
    with offline_browser(tmp_path / "profile", server.url) as browser:
        page = browser.page
        page.goto(server.url + VMC, wait_until="networkidle")
        assert page.inner_text("h1") == "Vojvodina Metal Cluster"
        partners = page.locator("#partners")
        assert "Denmark" in partners.inner_text()
        # The link text is the partner's label, not its IRI.
        link = partners.locator(f'a[href="{INNO_PRO}"]').first
        assert link.inner_text() == "Inno-Pro, Innovation Cluster for Production"
        with page.expect_navigation():
            link.click()
        assert urlsplit(page.url).path == INNO_PRO
        assert page.inner_text("h1") == "Inno-Pro, Innovation Cluster for Production"
        page.screenshot(path=str(screenshot), full_page=True)
        # The partner's page links back to the cluster that named it.
        back = page.locator(f'a[href="{VMC}"]').first
        with page.expect_navigation():
            back.click()
        assert urlsplit(page.url).path == VMC

        # The search box finds Niš when typed without the diacritic.
        page.fill('input[name="q"]', "Nis")
        with page.expect_navigation():
            page.press('input[name="q"]', "Enter")
        assert urlsplit(page.url).path == "/search"
        assert "Niš" in page.inner_text("main")

    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
    assert not browser.foreign, f"the pages sent requests to other hosts: {browser.foreign}"
    assert not browser.console_errors, f"errors in the browser console: {browser.console_errors}"
