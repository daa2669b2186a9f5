"""Friendly errors: a page for people, JSON for the API; never a stack trace, never the text in a log."""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .. import MAX_CHARS
from . import checking

CHECK_PAGES = {"draft": "draft", "reply": "reply"}  # blueprint -> mode

MESSAGES = {
    400: "Something in that request was not understood.",
    403: "That request was refused.",
    404: "There is no page here.",
    405: "That page cannot be used that way.",
    413: f"That is more text than rehearse checks at once (up to {MAX_CHARS:,} characters).",
    500: "Something went wrong on our side. Nothing you typed was stored.",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(413, too_large)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _friendly(status: int, message: str | None = None, headers=None):
    message = message or MESSAGES.get(status) or "That did not work."
    if _wants_json():
        response = jsonify(error=message[:1].lower() + message[1:])
    else:
        response = current_app.make_response(render_template("errors/error.html", status=status, message=message))
    response.status_code = status
    for name, value in headers or ():
        if name.lower() == "allow":
            response.headers[name] = value
    return response


def http_error(exc: HTTPException):
    return _friendly(exc.code or 500, None if exc.code in MESSAGES else exc.description,
                     exc.get_headers() if exc.code == 405 else None)


def csrf_failed(exc: CSRFError):
    """An expired or missing form token: keep the text, check nothing, hand out a fresh token."""
    mode = CHECK_PAGES.get(request.blueprint or "")
    if mode is None:
        return _friendly(400, "This form had expired. Please go back, reload the page and try again.")
    state = checking.State(text=checking.normalise(request.form.get("text", "")),
                           dismissed=checking.parse_dismissed(request.form.get("dismissed", "")),
                           status=400)
    state.error = ("This page had been open a long time (or rehearse restarted), so nothing was checked. "
                   "Your text is still here: press Check again.")
    return checking.render(mode, state, csrf_refresh=True)


def too_large(exc):
    """A body over the limit: keep as much of the text as can be read back, and say what to do."""
    mode = CHECK_PAGES.get(request.blueprint or "")
    if mode is None:
        return _friendly(413)
    state = checking.State(text=_salvage_text(), status=413)
    state.error = (f"That is more than {MAX_CHARS:,} characters, which is as much as rehearse checks at once. "
                   + ("The box holds the first part; please check the rest separately."
                      if state.text else "Please paste it in parts."))
    return checking.render(mode, state)


def salvage_form() -> list[tuple[str, str]]:
    """The fields of an over-long form post, in order, read back within the body limit (the last may
    be cut short), so that a 413 page can keep what the user typed. Empty when there is nothing."""
    if request.mimetype != "application/x-www-form-urlencoded" or not request.content_length:
        return []
    try:
        raw = request.environ["wsgi.input"].read(min(request.content_length, current_app.config["MAX_CONTENT_LENGTH"]))
    except Exception:  # a broken connection: nothing to keep
        return []
    return parse_qsl(raw.decode("ascii", "replace"), keep_blank_values=True, errors="replace")


def _salvage_text() -> str:
    """The start of the `text` field of an over-long form post."""
    text = next((value for name, value in salvage_form() if name == "text"), "")
    return checking.normalise(text)[:MAX_CHARS]


def unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return http_error(exc)
    # Log the kind of failure and where, never the request (it may hold health text).
    current_app.logger.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.path)
    return _friendly(InternalServerError.code)
