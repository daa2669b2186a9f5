"""Every route answers as a page for people, with the security and privacy headers."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

PAGES = ["/", "/about", "/draft", "/reply", "/draft?example=1", "/reply?example=1"]


class _Audit(HTMLParser):
    """Collects what the CSP forbids or what would reach another origin."""

    def __init__(self):
        super().__init__()
        self.inline_scripts, self.style_attrs, self.handlers, self.foreign = [], [], [], []
        self.ids: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self._in_script = True
        if tag == "style":
            self.inline_scripts.append("<style>")
        if "style" in attrs:
            self.style_attrs.append(tag)
        self.handlers += [name for name in attrs if name.startswith("on")]
        for name in ("src", "href", "action", "hx-post", "hx-get"):
            value = attrs.get(name) or ""
            if re.match(r"(?i)\s*(https?:)?//", value) and not (tag == "a" and name == "href"):
                self.foreign.append(value)
        if "id" in attrs:
            self.ids.append(attrs["id"])

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data[:40])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def audit(html: str) -> _Audit:
    parser = _Audit()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", PAGES)
def test_page_renders(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "not medical advice" in html.lower()


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_inline_script_style_or_foreign_resource(client, path):
    found = audit(client.get(path).get_data(as_text=True))
    assert found.inline_scripts == []
    assert found.style_attrs == []
    assert found.handlers == []
    assert found.foreign == []


@pytest.mark.parametrize("path", PAGES)
def test_ids_are_unique(client, path):
    ids = audit(client.get(path).get_data(as_text=True)).ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_home_links_every_use(client):
    html = client.get("/").get_data(as_text=True)
    for use, path in (("Check my draft", "/draft"), ("Review their reply", "/reply"),
                      ("Practise the appointment", "/practise"), ("Build a one-page brief", "/prepare")):
        assert f'href="{path}">{use}</a>' in html
    assert "coming later" not in html


@pytest.mark.parametrize("path", ["/", "/draft", "/reply", "/practise", "/prepare", "/resources", "/about"])
def test_nav_reaches_every_tool_and_marks_the_current_page(client, path):
    html = client.get(path).get_data(as_text=True)
    nav = html[html.index('<nav class="site-nav"'):html.index("</nav>")]
    for target in ("/draft", "/reply", "/practise", "/prepare", "/resources", "/about"):
        assert f'href="{target}"' in nav
    assert nav.count('aria-current="page"') == (0 if path == "/" else 1)


def test_privacy_redirects_to_its_section(client):
    response = client.get("/privacy")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/about#privacy")


def test_healthz_is_plain_ok(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok")


@pytest.mark.parametrize("path", PAGES + ["/healthz", "/nowhere"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'", "base-uri 'none'", "form-action 'self'", "connect-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_and_are_nosniff(client):
    response = client.get("/static/css/rehearse.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_vendored_htmx_has_its_version_in_the_name(client):
    html = client.get("/draft").get_data(as_text=True)
    name = re.search(r'src="/static/vendor/(htmx-[\d.]+\.min\.js)"', html).group(1)
    response = client.get(f"/static/vendor/{name}")
    assert response.status_code == 200 and b"htmx" in response.data[:200]
    response.close()


def test_htmx_is_told_not_to_inject_styles_or_keep_history(client):
    html = client.get("/draft").get_data(as_text=True)
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0 and config["historyEnabled"] is False
    assert config["allowEval"] is False


def test_unknown_page_is_friendly_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "There is no page here" in html and "Traceback" not in html


def test_wrong_method_is_friendly_405(client):
    response = client.post("/about")
    assert response.status_code == 405
    assert "cannot be used that way" in response.get_data(as_text=True)


def test_unexpected_error_is_a_friendly_500_that_logs_no_text(app, forms, monkeypatch, caplog):
    def boom(text, mode):
        raise RuntimeError(f"failed on {text}")
    monkeypatch.setattr("rehearse.web.checking.analyse", boom)
    response = forms.post("/draft", text="my private clonazepam dose")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html and "RuntimeError" not in html
    assert "clonazepam" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_secret_key_comes_from_the_environment(monkeypatch, analyzer):
    from rehearse.web import create_app
    monkeypatch.setenv("REHEARSE_SECRET_KEY", "from-env")
    assert create_app().config["SECRET_KEY"] == "from-env"
    monkeypatch.delenv("REHEARSE_SECRET_KEY")
    assert create_app().config["SECRET_KEY"] != create_app().config["SECRET_KEY"]


def test_templates_are_found_through_the_resources_helper(app):
    from rehearse.resources import data_dir
    assert app.template_folder == str(data_dir("templates"))
