"""GraphiQL works offline (api.md §7.5): in dev mode the server serves the IDE built from npm's
``graphiql`` (``server/graphiql.py``, ``scripts/build_graphiql.sh``), and Debian's Chromium, with
every host but the server blocked, renders it, runs a query and opens its subscription socket.

The browser tests need ``/usr/bin/chromium`` (``.ci/run`` installs it) and fail without it; the
build test needs Node.js and npm with the npm registry. The screenshot is kept in
``tests/artifacts/graphiql.png``.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import strawberry
from playwright.sync_api import Page, Route, WebSocketRoute, sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.graphiql import ASSETS_PATH, BUILD, IMMUTABLE
from tests.server.cli_process import cli_env
from tests.server.serving import serving
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".ttf": "font/ttf"}

#: What makes a browser fetch from another host: an absolute or scheme-relative URL as a page's
#: src/href, a stylesheet's url()/@import, or the argument of what loads code or data in a script.
URL = r"""(?:(?:https?|wss?):)?//[^"'`\s)]+"""
FETCHES_ELSEWHERE = {
    ".html": re.compile(rf"""\b(?:src|href)\s*=\s*["']?{URL}"""),
    ".css": re.compile(rf"""(?:url\(\s*|@import\s+)["']?{URL}"""),
    # A string literal only: a URL in a comment or a message ("see https://…") is fetched by nobody.
    ".js": re.compile(
        rf"""(?:\bimport\s*\(\s*|\bfrom\s*|\bimportScripts\s*\(\s*|\bfetch\s*\(\s*"""
        rf"""|\bnew\s+(?:Shared)?Worker\s*\(\s*|\bnew\s+WebSocket\s*\(\s*|\bnew\s+EventSource\s*\(\s*"""
        rf"""|\.src\s*=\s*)["'`]{URL}"""
    ),
}


def shipped_files() -> list[Path]:
    return sorted(p for p in BUILD.rglob("*") if p.is_file())


def fetches_elsewhere(path: Path) -> list[str]:
    pattern = FETCHES_ELSEWHERE.get(path.suffix)
    return [] if pattern is None else pattern.findall(path.read_text(encoding="utf-8"))


@pytest.fixture
async def dev_client(shared_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(shared_engine, dev=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_a_browser_gets_the_shipped_graphiql_page_at_graphql_in_dev_mode(
    dev_client: httpx.AsyncClient,
) -> None:
    response = await dev_client.get("/graphql", headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.content == (BUILD / "index.html").read_bytes()


async def test_every_asset_is_served_with_its_type_and_cached_for_a_year(
    dev_client: httpx.AsyncClient,
) -> None:
    page = (await dev_client.get("/graphql", headers={"Accept": "text/html"})).text
    referenced = re.findall(r"""(?:src|href)="([^"]+)\"""", page)
    assets = sorted((BUILD / "assets").iterdir())

    assert {ref for ref in referenced if not ref.startswith("data:")} == {
        f"{ASSETS_PATH}/{a.name}" for a in assets if a.name.startswith("index-")
    }
    assert {a.suffix for a in assets} == set(TYPES)
    for asset in assets:
        response = await dev_client.get(f"{ASSETS_PATH}/{asset.name}")
        assert response.status_code == 200, asset.name
        assert response.headers["content-type"] == TYPES[asset.suffix], asset.name
        assert response.headers["cache-control"] == IMMUTABLE, asset.name
        assert response.content == asset.read_bytes(), asset.name


async def test_neither_the_page_nor_its_assets_are_served_outside_dev_mode(
    shared_engine: AsyncEngine,
) -> None:
    script = next((BUILD / "assets").glob("index-*.js")).name
    transport = httpx.ASGITransport(app=create_app(shared_engine, dev=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        page = await c.get("/graphql", headers={"Accept": BROWSER_ACCEPT})
        asset = await c.get(f"{ASSETS_PATH}/{script}")

    assert page.status_code == 404
    assert asset.status_code == 404


async def test_an_unknown_asset_is_a_404(dev_client: httpx.AsyncClient) -> None:
    assert (await dev_client.get(f"{ASSETS_PATH}/index-0000.js")).status_code == 404
    # index.html is one level up: the escape is refused, not followed.
    assert (await dev_client.get(f"{ASSETS_PATH}/%2E%2E/index.html")).status_code == 404


def test_no_shipped_file_fetches_anything_from_another_host() -> None:
    files = shipped_files()

    assert {p.suffix for p in files} >= {".html", ".js", ".css"}
    assert {p.relative_to(BUILD).as_posix(): fetches_elsewhere(p) for p in files} == {
        p.relative_to(BUILD).as_posix(): [] for p in files
    }


def test_the_scan_finds_what_strawberrys_own_page_fetches_from_its_cdn() -> None:
    # The page GraphiQL came from before (Strawberry's template): the scan above is not vacuous.
    template = Path(strawberry.__file__).parent / "static" / "graphiql.html"

    found = fetches_elsewhere(template)

    assert len(found) >= 4
    assert all("unpkg.com" in url for url in found)


def test_the_shipped_build_is_what_web_graphiql_builds() -> None:
    # npm ci from the lockfile, then Vite into a temporary directory, compared byte for byte.
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_graphiql.sh"), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr


# In a real browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def graphiql_db(pg_url: str, template_db: str) -> AsyncIterator[str]:
    name = unique_name("sg_graphiql")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(pg_url, name)
    await drop_database(pg_url, name)


@pytest.fixture(scope="module")
def dev_server(graphiql_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("graphiql") / "serve.log"
    with serving(["--dev"], cli_env(DATABASE_URL=graphiql_db), log) as base:
        yield base


@dataclass
class Offline:
    """A page that may reach only the server: everything else is aborted and recorded."""

    page: Page
    server: str
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)

    def on_request(self, route: Route) -> None:
        if urlsplit(route.request.url).netloc == self.server:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def on_websocket(self, ws: WebSocketRoute) -> None:
        self.sockets.append(ws.url)
        if urlsplit(ws.url).netloc == self.server:
            ws.connect_to_server()
        else:
            self.blocked.append(ws.url)
            ws.close(code=1008, reason="blocked by the test")


@pytest.fixture
def offline(dev_server: str) -> Iterator[Offline]:
    # Playwright's sync API runs an event loop of its own in this thread while it is started: it
    # starts after, and stops before, the async fixtures (the database) set up or tear down.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        offline = Offline(page, urlsplit(dev_server).netloc)
        page.route("**/*", offline.on_request)
        page.route_web_socket("**/*", offline.on_websocket)
        page.on("pageerror", lambda error: offline.errors.append(str(error)))
        page.goto(f"{dev_server}/graphql")
        page.locator(".graphiql-query-editor .monaco-editor").wait_for(timeout=60_000)
        yield offline
        browser.close()


def run_in_graphiql(page: Page, operation: str, name: str) -> None:
    """Type ``operation`` (named ``name``) into the query editor as a person would, and run it."""
    page.locator(".graphiql-query-editor .view-lines").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # Typed key by key: the editor closes each brace it opens, and typing the closing one steps over it.
    page.keyboard.type(operation, delay=15)
    page.keyboard.press("Escape")
    # The tab takes the operation's name once GraphiQL has parsed the edit: then it knows what it runs.
    page.locator(".graphiql-tab-active").get_by_text(name, exact=True).wait_for(timeout=30_000)
    page.locator(".graphiql-execute-button").click()


def acknowledges(frame: str | bytes) -> bool:
    # Text or binary: which frames the server sends is the subscriptions' concern, not GraphiQL's.
    text = frame if isinstance(frame, str) else frame.decode()
    return '"type":"connection_ack"' in text.replace(" ", "")


def response_text(page: Page) -> str:
    return page.locator(".graphiql-response").inner_text().replace("\xa0", " ")


@pytest.mark.own_database
def test_graphiql_runs_a_query_in_chromium_with_every_other_host_blocked(offline: Offline) -> None:
    page = offline.page

    run_in_graphiql(page, "query Setup { setup { currencyCode timeZone } }", "Setup")

    page.locator(".graphiql-response").get_by_text('"timeZone": "UTC"').wait_for(timeout=30_000)
    text = response_text(page)
    assert '"currencyCode": "USD"' in text
    assert '"errors"' not in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "graphiql.png")
    print(f"GraphiQL screenshot: {ARTIFACTS / 'graphiql.png'}")
    assert offline.blocked == []
    assert offline.errors == []


@pytest.mark.own_database
def test_graphiql_opens_its_subscription_socket_at_graphql_over_graphql_transport_ws(
    offline: Offline, dev_server: str
) -> None:
    page = offline.page
    socket_url = dev_server.replace("http://", "ws://") + "/graphql"

    with page.expect_websocket(timeout=30_000) as opened:
        run_in_graphiql(page, "subscription Probe { __typename }", "Probe")
    socket = opened.value
    # The server accepted the graphql-transport-ws subprotocol (else it closes with 4406) and
    # acknowledged the connection_init GraphiQL sent.
    socket.wait_for_event("framereceived", predicate=acknowledges, timeout=30_000)

    assert socket.url == socket_url
    assert offline.sockets == [socket_url]
    assert offline.blocked == []
