"""The two check pages: read the form, apply a rewrite or dismissal, analyse, build what is shown."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import render_template, request, url_for

from .. import MAX_CHARS, InputError, analyse
from ..inputs import normalise_newlines
from . import highlight, htmx
from .wording import EXAMPLES, LABELS, PAGES

DISMISSED_MAX = 200   # keys kept in the hidden field
KEY_MAX = 500         # characters in one key
LOW, HIGH = 40, 65    # the meter's bands: below LOW reads badly, from HIGH on reads well


@dataclass
class State:
    """What the form holds: the text, the dismissed flags, and what to show about the last action."""
    text: str = ""
    dismissed: list[str] = field(default_factory=list)
    previous: str | None = None   # the text before a rewrite applied without JavaScript (for undo)
    notice: str | None = None
    error: str | None = None
    status: int = 200


normalise = normalise_newlines


def dismissal_key(flag: dict) -> str:
    """Rule and flagged words (not offsets), so a dismissal survives edits elsewhere in the text."""
    return f'{flag["rule"]}:{" ".join(flag["text"].casefold().split())}'[:KEY_MAX]


def parse_dismissed(raw: str) -> list[str]:
    """The hidden field's JSON list of keys; anything malformed is ignored, never an error."""
    try:
        value = json.loads(raw) if raw else []
    except (ValueError, RecursionError):
        return []
    keys: list[str] = []
    for key in value if isinstance(value, list) else []:
        if isinstance(key, str) and 0 < len(key) <= KEY_MAX and key not in keys:
            keys.append(key)
    return keys[-DISMISSED_MAX:]


def read_form(mode: str, form) -> State:
    """The submitted state, after the action a no-JavaScript button asked for (apply, dismiss, ...)."""
    state = State(text=normalise(form.get("text", "")), dismissed=parse_dismissed(form.get("dismissed", "")))
    if "undo" in form and "previous" in form:
        state.text = normalise(form["previous"])
        state.notice = "Undone: your text is back as it was."
    elif form.get("dismiss"):
        key = form["dismiss"][:KEY_MAX]
        if key not in state.dismissed:
            state.dismissed = (state.dismissed + [key])[-DISMISSED_MAX:]
        state.notice = "Dismissed for this text. It stays dismissed while you edit; restore it under “Dismissed”."
    elif form.get("restore"):
        state.dismissed = [] if form["restore"] == "*" else [k for k in state.dismissed if k != form["restore"]]
        state.notice = "Restored."
    elif form.get("apply"):
        applied = apply_choice(state.text, mode, form["apply"])
        if applied is None:
            state.notice = "That suggestion no longer fits the text, so nothing was changed."
        else:
            state.previous, state.text = state.text, applied
            state.notice = "Applied. Check the new wording still says what you mean."
    return state


def apply_choice(text: str, mode: str, choice: str) -> str | None:
    """The text with choice "F.S" applied: suggestion S of flag F in this text's analysis (None if gone)."""
    try:
        i, j = (int(part) for part in choice.split(".", 1))
        if i < 0 or j < 0:
            return None
        flag = analyse(text, mode)["flags"][i]
        option = options(text, mode, i, flag)[j]
    except (ValueError, IndexError, InputError):
        return None
    return text[:option["start"]] + option["text"] + text[option["end"]:]


def options(text: str, mode: str, index: int, flag: dict) -> list[dict]:
    """Each suggestion with the range it replaces: the flag's own rewrite range, else its sentence."""
    if mode != "draft" or flag["polarity"] != "concern":
        return []
    rw = flag.get("rewrite")
    s, e = highlight.sentence_bounds(text, flag["start"], flag["end"])
    if rw:
        s, e = min(s, rw["start"]), max(e, rw["end"])
    out = []
    for j, suggestion in enumerate(flag["suggestions"]):
        primary = bool(rw) and suggestion == rw["text"]
        a, b = (rw["start"], rw["end"]) if primary else (s, e)
        out.append({"text": suggestion, "value": f"{index}.{j}", "primary": primary, "start": a, "end": b,
                    "start16": highlight.utf16(text, a), "end16": highlight.utf16(text, b),
                    "expect": text[a:b]})
    out.sort(key=lambda o: not o["primary"])
    return out


def analyse_state(mode: str, state: State) -> dict | None:
    """The analysis of the state's text, or None (with state.error set) when it cannot be analysed."""
    if not state.text.strip():
        return None
    try:
        return analyse(state.text, mode)
    except InputError as exc:
        message = str(exc)
        state.error = message[:1].upper() + message[1:] + "."
        state.status = 413 if len(state.text) > MAX_CHARS else 400
        return None


def view(mode: str, state: State, result: dict | None) -> dict:
    """Everything the templates need: the page copy, the form, and the marked-up result."""
    page = PAGES[mode]
    ctx = {"mode": mode, "page": page, "state": state, "result": result,
           "dismissed_json": json.dumps(state.dismissed, ensure_ascii=False),
           "action": url_for(page["endpoint"]), "example_url": url_for(page["endpoint"], example=1),
           "example_text": EXAMPLES[mode],
           "csrf_refresh": False, "announcement": ""}
    if result is None:
        ctx["announcement"] = state.error or ""
        return ctx
    wanted = set(state.dismissed)
    shown, hidden = [], []
    for i, flag in enumerate(result["flags"]):
        card = dict(flag, index=i, id=f"flag-{i}", key=dismissal_key(flag),
                    options=options(state.text, mode, i, flag))
        (hidden if card["key"] in wanted else shown).append(card)
    concerns = sum(f["polarity"] == "concern" for f in shown)
    strengths = len(shown) - concerns
    score = result["summary"]["collaboration"]
    ctx.update(
        flags=shown, dismissed_flags=hidden, segments=marks(mode, state.text, shown),
        concerns=concerns, strengths=strengths, score=score,
        level=page["levels"][0 if score < LOW else 1 if score < HIGH else 2],
        low=LOW, high=HIGH, tone=tone_reasons(result["summary"].get("tone") or {}),
    )
    ctx["announcement"] = announce(page, concerns, strengths, len(hidden), score)
    return ctx


def marks(mode: str, text: str, cards: list[dict]) -> list[dict]:
    """The text in stretches; a flagged stretch links to its card (a concern wins where both overlap)."""
    out = []
    for seg in highlight.segments(text, cards):
        covering = [cards[i] for i in seg.flags]
        card = next((c for c in covering if c["polarity"] == "concern"), covering[0] if covering else None)
        also = next((c["polarity"] for c in covering if c["polarity"] != (card or {}).get("polarity")), "")
        out.append({"text": seg.text, "card": card, "also": also,
                    "icons": ["!" if cards[i]["polarity"] == "concern" else "✓" for i in seg.starts],
                    "label": LABELS[mode][card["polarity"]] if card and seg.starts else ""})
    return out


def tone_reasons(tone: dict) -> dict:
    """The markers behind the score, most frequent first."""
    def ordered(markers):
        return sorted((markers or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    return {"positive": ordered(tone.get("positive")), "negative": ordered(tone.get("negative")),
            "flags": tone.get("flags") or {}, "total": tone.get("total")}


def plural(n: int, words: tuple[str, str]) -> str:
    return f"{n} {words[0] if n == 1 else words[1]}"


def announce(page: dict, concerns: int, strengths: int, dismissed: int, score: int) -> str:
    text = f"{plural(concerns, page['concern_word'])} and {plural(strengths, page['strength_word'])} found"
    if dismissed:
        text += f" ({dismissed} dismissed)"
    return f"{text}. {page['score_name']} {score} out of 100."


def render(mode: str, state: State, result: dict | None = None, *, csrf_refresh: bool = False):
    """The whole page, or only the results fragment for htmx."""
    ctx = view(mode, state, result)
    ctx["csrf_refresh"] = csrf_refresh
    if htmx:  # the fragment shows any problem itself; a 4xx would only add console noise
        return render_template("check/_results.html", **ctx), 200
    return render_template("check/page.html", **ctx), state.status


def page(mode: str):
    """GET shows the empty form (or an example); POST analyses what was sent."""
    if request.method == "GET":
        state = State(text=EXAMPLES[mode] if request.args.get("example") else "")
    else:
        state = read_form(mode, request.form)
    return render(mode, state, analyse_state(mode, state))
