"""Health text is never logged, never written to disk, and never stored on the server."""
from __future__ import annotations

import builtins
import io
import logging
import os

import pytest
from samples import DRAFT_CONCERN

SECRET = "my private clonazepam 3 mg dose"


@pytest.fixture
def no_disk_writes(monkeypatch):
    """Fail any attempt to open a file for writing while the test runs."""
    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            raise AssertionError(f"wrote to disk: {file}")
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND):
            raise AssertionError(f"wrote to disk: {path}")
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)


@pytest.mark.parametrize("path,htmx", [("/draft", False), ("/draft", True), ("/reply", False)])
def test_checking_text_logs_nothing_of_it(forms, caplog, path, htmx):
    caplog.set_level(logging.DEBUG)
    forms.post(path, htmx=htmx, text=f"{SECRET}. {DRAFT_CONCERN}")
    forms.post(path, htmx=htmx, text=SECRET * 2000)        # too long
    forms.client.post(path, data={"text": SECRET})           # no CSRF token
    assert "clonazepam" not in caplog.text


def test_the_api_logs_nothing_of_the_text(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/api/analyse", json={"text": SECRET, "mode": "draft"})
    client.post("/api/analyse", json={"text": SECRET, "mode": "nonsense"})
    assert "clonazepam" not in caplog.text


def test_checking_text_writes_nothing_to_disk(forms, client, no_disk_writes):
    token = forms.token()
    for path in ("/draft", "/reply"):
        assert client.post(path, data={"text": SECRET, "csrf_token": token}).status_code == 200
    assert client.post("/api/analyse", json={"text": SECRET, "mode": "reply"}).status_code == 200


def test_the_session_cookie_holds_no_text(forms):
    forms.post("/draft", text=SECRET)
    cookie = forms.client.get_cookie("rehearse_session")
    assert cookie is not None and "clonazepam" not in cookie.value
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("path", ["/draft", "/reply"])
def test_text_box_does_not_ask_the_browser_to_remember_it(client, path):
    html = client.get(path).get_data(as_text=True)
    assert 'id="check-form"' in html and 'autocomplete="off"' in html
