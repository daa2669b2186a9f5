"""Practise: answer a prescriber's pushback line by line, with feedback; the page holds every answer.

The server keeps nothing. Each POST carries the scenario (in the address), the line being practised,
and the answers so far (a hidden, size-limited JSON field); the feedback is recomputed from them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import Blueprint, abort, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from ... import rehearsal
from ...inputs import normalise_newlines
from .. import errors, htmx

bp = Blueprint("practise", __name__)

ATTEMPTS_KEPT = 6      # tries kept per line (the newest)
ACTIONS = ("check", "next", "finish")


@dataclass
class Practice:
    """What the page holds: where the user is, what they typed, and what to show about it."""
    scenario: rehearsal.Scenario
    turn: int = 0
    history: list = field(default_factory=list)   # per line: the answers checked, oldest first
    answer: str = ""
    feedback: dict | None = None
    error: str | None = None
    summary: dict | None = None
    status: int = 200
    announcement: str = ""
    focus: str = ""

    @property
    def tried(self) -> bool:
        return bool(self.history[self.turn])

    @property
    def last(self) -> bool:
        return self.turn == len(self.scenario.turns) - 1


def parse_history(raw: str, lines: int) -> list[list[str]]:
    """The hidden field's answers; anything malformed or oversized is dropped, never an error."""
    history: list[list[str]] = [[] for _ in range(lines)]
    try:
        value = json.loads(raw) if raw and len(raw) <= lines * ATTEMPTS_KEPT * (rehearsal.ANSWER_MAX + 64) else []
    except (ValueError, RecursionError):
        value = []
    for i, answers in enumerate(value[:lines] if isinstance(value, list) else []):
        if isinstance(answers, list):
            history[i] = [a for a in answers if isinstance(a, str) and a.strip()
                          and len(a) <= rehearsal.ANSWER_MAX][-ATTEMPTS_KEPT:]
    return history


def parse_turn(raw, lines: int) -> int:
    try:
        turn = int(raw)
    except (TypeError, ValueError):
        return 0
    return min(max(turn, 0), lines - 1)


def get_scenario(scenario_id: str) -> rehearsal.Scenario:
    scenario = rehearsal.scenarios().get(scenario_id)
    if scenario is None:
        abort(404)
    return scenario


@bp.route("/practise")
def index():
    return render_template("practise/index.html", scenarios=list(rehearsal.scenarios().values()))


@bp.route("/practise/<scenario_id>", methods=["GET", "POST"])
def flow(scenario_id: str):
    scenario = get_scenario(scenario_id)
    lines = len(scenario.turns)
    if request.method == "GET":
        return render(Practice(scenario, history=[[] for _ in range(lines)]))
    form = request.form
    state = Practice(scenario, turn=parse_turn(form.get("turn"), lines),
                     history=parse_history(form.get("history", ""), lines),
                     answer=normalise_newlines(form.get("answer", "")))
    action = form.get("action") if form.get("action") in ACTIONS else "check"
    if action == "check":
        check(state)
    else:
        keep_pending(state)
        if state.error is None:
            if action == "finish" or state.last:
                finish(state)
            else:
                state.turn += 1
                state.answer = ""
                line = scenario.turns[state.turn]
                state.announcement = f"Line {state.turn + 1} of {lines}. They say: {line.prescriber}"
                state.focus = "line"
    return render(state)


def check(state: Practice) -> None:
    """Check the answer in the box; a good one joins the history, a bad one stays in the box with a message."""
    try:
        state.feedback = rehearsal.feedback(state.scenario, state.turn, state.answer)
    except rehearsal.AnswerError as exc:
        state.error = str(exc)
        state.status = 413 if len(state.answer) > rehearsal.ANSWER_MAX else 400
        state.announcement = state.error
        state.focus = "answer"
        return
    state.history[state.turn] = (state.history[state.turn] + [state.feedback["answer"]])[-ATTEMPTS_KEPT:]
    fb = state.feedback
    state.announcement = (f"{fb['verdict_label']}. Covered {len(fb['covered'])} of "
                          f"{len(fb['covered']) + len(fb['missed'])}. {fb['headline']}")
    state.focus = "feedback"


def keep_pending(state: Practice) -> None:
    """Before moving on, an answer typed but not yet checked is checked, so it is never lost."""
    answer = state.answer.strip()
    if not answer or (state.history[state.turn] and state.history[state.turn][-1].strip() == answer):
        return
    check(state)
    if state.error is not None:
        state.error += " (Nothing moved on: your answer is still in the box.)"
        state.announcement = state.error


def finish(state: Practice) -> None:
    # each distinct (line, answer) is checked once: tries repeat, and the last one was just checked
    known: dict[tuple[int, str], dict] = {}
    if state.feedback is not None:
        known[(state.feedback["turn"], state.feedback["answer"])] = state.feedback
    attempts = []
    for turn, answers in enumerate(state.history):
        for answer in answers:
            if (turn, answer) not in known:
                try:
                    known[(turn, answer)] = rehearsal.feedback(state.scenario, turn, answer)
                except rehearsal.AnswerError:
                    continue
            attempts.append(known[(turn, answer)])
    state.summary = rehearsal.summary(attempts)
    state.feedback = None
    state.announcement = "Your practice summary is ready."
    state.focus = "summary"


def render(state: Practice, csrf_refresh: bool = False):
    scenario = state.scenario
    ctx = {
        "state": state, "scenario": scenario, "line": scenario.turns[state.turn],
        "lines": len(scenario.turns), "history_json": json.dumps(state.history, ensure_ascii=False),
        "action": url_for("practise.flow", scenario_id=scenario.id), "csrf_refresh": csrf_refresh,
        "answer_max": rehearsal.ANSWER_MAX, "attempts": len(state.history[state.turn]),
        "earlier": [(scenario.turns[i], state.history[i][-1] if state.history[i] else "")
                    for i in range(state.turn)],
        "brief_text": "\n".join(state.summary["phrases_to_keep"]) if state.summary else "",
    }
    if htmx:  # the panel shows any problem itself
        return render_template("practise/_panel.html", **ctx), 200
    return render_template("practise/flow.html", **ctx), state.status


@bp.errorhandler(CSRFError)
def csrf_failed(exc):
    """An expired form token: keep the answer and the answers so far, check nothing, hand out a new token."""
    scenario = get_scenario(request.view_args.get("scenario_id", "")) if request.view_args else abort(400)
    lines = len(scenario.turns)
    state = Practice(scenario, turn=parse_turn(request.form.get("turn"), lines),
                     history=parse_history(request.form.get("history", ""), lines),
                     answer=normalise_newlines(request.form.get("answer", "")), status=400, focus="answer")
    state.error = ("This page had been open a long time (or rehearse restarted), so nothing was checked. "
                   "Your answer is still here: press Check my answer again.")
    state.announcement = state.error
    return render(state, csrf_refresh=True)


@bp.errorhandler(413)
def too_large(exc):
    """A body over the app's limit: keep what can be read back (the line, the answers so far, the answer's start)."""
    if not request.view_args or "scenario_id" not in request.view_args:
        abort(413)
    scenario = get_scenario(request.view_args["scenario_id"])
    fields: dict[str, str] = {}
    for name, value in errors.salvage_form():   # the first non-empty value of each field
        if name in ("turn", "history", "answer") and value:
            fields.setdefault(name, value)
    lines = len(scenario.turns)
    state = Practice(scenario, turn=parse_turn(fields.get("turn"), lines),
                     history=parse_history(fields.get("history", ""), lines),
                     answer=normalise_newlines(fields.get("answer", ""))[:rehearsal.ANSWER_MAX], status=413,
                     focus="answer")
    state.error = (f"That answer is far longer than rehearse checks (up to {rehearsal.ANSWER_MAX:,} characters). "
                   "The box holds its start: try the heart of it in a few sentences.")
    state.announcement = state.error
    return render(state)
