"""Shared fixtures: the bundled graph, the CLI as a real subprocess, temporary stores, a running server."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import Graph

from clusterkg.core import resources


@pytest.fixture(scope="session")
def bundled_graph() -> Graph:
    """Every bundled data file, ontology and concept scheme merged into one rdflib graph."""
    graph = Graph()
    for f in resources.ontology_files() + resources.data_files():
        graph.parse(data=f.read_bytes(), format="turtle", publicID=f"file:///{f.name}")
    return graph


def clusterkg_command() -> list[str]:
    """The installed ``clusterkg`` entry point of the Python running the tests."""
    script = Path(sys.executable).parent / "clusterkg"
    if script.exists():
        return [str(script)]
    found = shutil.which("clusterkg")
    assert found, "the clusterkg entry point is not installed (pip install .)"
    return [found]


@dataclass
class CLIResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(tmp_path: Path):
    """Run ``clusterkg ARGS`` as a subprocess with a clean environment; returns a :class:`CLIResult`."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> CLIResult:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERKG_")}
        environ["XDG_DATA_HOME"] = str(tmp_path / "xdg")  # never touch the user's default store
        environ.update(env or {})
        proc = subprocess.run(
            [*clusterkg_command(), *args],
            capture_output=True,
            text=True,
            input=input,
            env=environ,
            timeout=300,
            cwd=tmp_path,
        )
        return CLIResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on disk with the bundled graph loaded once per test session (treat as read-only)."""
    store = tmp_path_factory.mktemp("loaded") / "store"
    proc = subprocess.run(
        [*clusterkg_command(), "load", "--bundled", "--store", str(store)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    store: Path
    log: Path  # what the server wrote to stdout and stderr (a file: a pipe nobody reads would fill and block it)


def start_server(store: Path, *extra: str, timeout: float = 120, env: dict[str, str] | None = None) -> Server:
    """Start ``clusterkg serve`` on a free port on 127.0.0.1 and wait until it answers /healthz."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="clusterkg-serve-", suffix=".log")[1])
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERKG_")}
    environ.update(env or {})
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*clusterkg_command(), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environ,
            start_new_session=True,  # its own process group: a test can kill -9 the master and its workers
        )
    url = f"http://127.0.0.1:{port}"
    running = Server(url, process, store, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return running
        except OSError:
            time.sleep(0.2)
    stop_server(running)
    raise AssertionError("server did not answer within the timeout")


def stop_server(server: Server) -> str:
    """Stop the server (SIGTERM, then SIGKILL) and return what it wrote."""
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    text = server.log.read_text(encoding="utf-8", errors="replace")
    server.log.unlink(missing_ok=True)
    return text


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``clusterkg serve`` on a fresh store (so it loads the bundled graph), for the whole session."""
    store = tmp_path_factory.mktemp("served") / "store"
    running = start_server(store)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def app(loaded_store: Path):
    """The Flask app over the loaded store, built by the factory as a deployment would."""
    from clusterkg.core.settings import Settings
    from clusterkg.endpoint import create_app

    application = create_app(Settings.from_env({}, store=loaded_store))
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    return app.test_client()


def get_csv(url: str, query: str) -> list[list[str]]:
    """Run ``query`` against the server at ``url`` and return the CSV rows."""
    import csv
    import io
    import urllib.parse

    request = urllib.request.Request(
        f"{url}/sparql?{urllib.parse.urlencode({'query': query})}", headers={"Accept": "text/csv"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return list(csv.reader(io.StringIO(response.read().decode("utf-8"))))


CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@dataclass
class Browser:
    """A headless Chromium page that may reach only one host; what else it tried and what it logged."""

    page: object
    foreign: list[str]
    console_errors: list[str]
    seen: list[str]


@contextlib.contextmanager
def offline_browser(profile: Path, own_url: str) -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright, with every request to another host aborted and recorded.

    Skips the test when Chromium or Playwright is not installed (``.ci/run`` installs both).
    """
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium): the browser test cannot run")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    own_host = urlsplit(own_url).netloc
    browser = Browser(page=None, foreign=[], console_errors=[], seen=[])

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        parts = urlsplit(route.request.url)
        browser.seen.append(route.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != own_host:
            browser.foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1400},
        )
        try:
            context.route("**/*", guard)
            page = context.new_page()
            page.on("console", lambda msg: browser.console_errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda err: browser.console_errors.append(str(err)))
            browser.page = page
            yield browser
        finally:
            context.close()
