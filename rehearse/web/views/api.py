"""The JSON API: POST /api/analyse (see CONTRACT.md); every error is JSON, never a 500 for any input."""
from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, jsonify, request

from ... import MAX_CHARS, InputError, analyse

bp = Blueprint("api", __name__, url_prefix="/api")
FIELDS = {"text", "mode"}
OPENAPI = Path(__file__).resolve().parent.parent / "openapi.json"  # the description of this API


def error(message: str, status: int):
    return jsonify(error=message), status


@bp.post("/analyse")
def analyse_text():
    if request.mimetype != "application/json":
        return error('send JSON: Content-Type: application/json with {"text": "...", "mode": "draft"}', 415)
    try:
        body = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        return error("the body is not valid JSON", 400)
    if not isinstance(body, dict):
        return error('expected a JSON object: {"text": "...", "mode": "draft" or "reply"}', 400)
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        return error(f"unknown field(s): {', '.join(unknown)}; expected only text and mode", 400)
    missing = sorted(FIELDS - set(body))
    if missing:
        return error(f"missing field(s): {', '.join(missing)}", 400)
    text = body["text"]
    if isinstance(text, str) and len(text) > MAX_CHARS:
        return error(f"the text is {len(text):,} characters; rehearse checks up to {MAX_CHARS:,} at a time", 413)
    try:
        return jsonify(analyse(text, body["mode"]))
    except InputError as exc:
        return error(str(exc), 400)


@bp.get("/openapi.json")
def openapi():
    return Response(OPENAPI.read_bytes(), mimetype="application/json")
