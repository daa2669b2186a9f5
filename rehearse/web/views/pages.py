"""The pages around the tools: home, privacy and about, and a health check for hosting."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    return render_template("pages/home.html")


@bp.route("/about")
def about():
    return render_template("pages/about.html")


@bp.route("/privacy")
def privacy():
    return redirect(url_for("pages.about", _anchor="privacy"))


@bp.route("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
