"""Web fixtures: app -> client -> forms (flaskr's chain), and a live server driven by headless Chromium."""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, DESKTOP


@pytest.fixture
def app(analyzer):
    from rehearse.web import create_app
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


class Forms:
    """Posts the check forms as a browser would: with the page's CSRF token, as htmx or not."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/draft") -> str:
        html = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def post(self, path: str, htmx: bool = False, **data):
        data.setdefault("csrf_token", self.token(path))
        headers = {"HX-Request": "true", "HX-Target": "results"} if htmx else {}
        return self.client.post(path, data=data, headers=headers)


@pytest.fixture
def forms(client):
    return Forms(client)


# ---- browser ------------------------------------------------------------------------------------

def _delaying(wsgi_app):
    """Test-only middleware: hold a response for X-Test-Delay seconds (to race two requests)."""
    def middleware(environ, start_response):
        delay = environ.get("HTTP_X_TEST_DELAY")
        if delay:
            time.sleep(float(delay))
        return wsgi_app(environ, start_response)
    return middleware


@pytest.fixture(scope="session")
def live_server(analyzer):
    """The real app on 127.0.0.1 (a free port) in a background thread."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    from rehearse.web import create_app

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    app = create_app()
    app.wsgi_app = _delaying(app.wsgi_app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium "
                    "(`make browser` installs it when run as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (make dev)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A page in its own browser context that records console errors and requests to other origins."""
    page: object
    base: str
    console_errors: list = field(default_factory=list)
    foreign_requests: list = field(default_factory=list)

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def results_settled(self, timeout: float = 10_000):
        """Wait until no analysis is in flight and the results are not stale."""
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request')"
            " && !document.querySelector('#results.is-stale')", timeout=timeout)


@pytest.fixture
def open_tab(chromium, live_server):
    """open_tab(viewport=DESKTOP, **context_options) -> Tab; every tab is checked when the test ends."""
    contexts, tabs = [], []

    def opener(viewport=None, **options) -> Tab:
        context = chromium.new_context(viewport=viewport or DESKTOP, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        tab = Tab(page, live_server)

        def guard(route):
            url = route.request.url
            if url == live_server or url.startswith(live_server + "/") or url.startswith("data:"):
                route.continue_()
            else:
                tab.foreign_requests.append(url)
                route.abort()

        context.route("**/*", guard)
        page.on("console", lambda msg: tab.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: tab.console_errors.append(f"uncaught: {exc}"))
        tabs.append(tab)
        return tab

    yield opener
    for context in contexts:
        context.close()
    for tab in tabs:
        assert tab.foreign_requests == [], f"requests to other origins: {tab.foreign_requests}"
        assert tab.console_errors == [], f"console errors: {tab.console_errors}"


@pytest.fixture
def tab(open_tab):
    return open_tab()
