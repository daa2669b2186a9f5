"""Review their reply: a prescriber's words."""
from __future__ import annotations

from flask import Blueprint

from .. import checking

bp = Blueprint("reply", __name__)


@bp.route("/reply", methods=["GET", "POST"])
def check():
    return checking.page("reply")
