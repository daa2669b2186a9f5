"""The web app: check a draft or review a reply in the browser (a thin layer over `rehearse.analyse`)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_htmx import HTMX
from jinja2 import StrictUndefined

from ..classifier import confidence_word
from ..inputs import MAX_CHARS
from ..resources import data_dir

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# A form posts the text percent-encoded: up to 9 bytes per character of CJK text and 12 per
# emoji (which also counts double against the browser's own length). This ceiling never refuses
# a text within MAX_CHARS, and a bigger body gets a friendly 413 before it is parsed.
MAX_BODY_BYTES = MAX_CHARS * 12 + 16 * 1024

htmx = HTMX()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app (flaskr style); the analysis pipeline is loaded here, once per process."""
    app = Flask(__name__, template_folder=str(data_dir("templates")),
                static_folder=str(STATIC_DIR), static_url_path="/static")
    app.config.from_mapping(
        # Random per process unless set: with `gunicorn --preload` every worker shares the master's.
        SECRET_KEY=os.environ.get("REHEARSE_SECRET_KEY") or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_NAME="rehearse_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("REHEARSE_HTTPS") == "1",
        HTTPS=os.environ.get("REHEARSE_HTTPS") == "1",
        WTF_CSRF_TIME_LIMIT=None,      # valid for the browser session: a long draft must not expire
        WTF_CSRF_SSL_STRICT=False,     # Referrer-Policy: no-referrer means no Referer to check
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        PRELOAD_PIPELINE=True,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)

    app.jinja_env.undefined = StrictUndefined
    app.json.sort_keys = False  # keep the contract's field order
    app.jinja_env.globals["MAX_CHARS"] = MAX_CHARS
    app.jinja_env.filters["confidence_word"] = confidence_word
    htmx.init_app(app)

    from . import errors, security
    from .views import api, draft, pages, prepare, reply
    from .views import practise

    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(draft.bp)
    app.register_blueprint(reply.bp)
    app.register_blueprint(prepare.bp)
    app.register_blueprint(practise.bp)
    app.register_blueprint(api.bp)
    security.csrf.exempt(api.bp)

    if app.config["PRELOAD_PIPELINE"]:
        from .. import get_analyzer
        get_analyzer()
    return app
