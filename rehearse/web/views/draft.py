"""Check my draft: the user's own words to a prescriber."""
from __future__ import annotations

from flask import Blueprint

from .. import checking

bp = Blueprint("draft", __name__)


@bp.route("/draft", methods=["GET", "POST"])
def check():
    return checking.page("draft")
