"""Prepare: the resources library, questions to ask, and the appointment brief builder.

Nothing here is stored: the brief is built from the posted form and sent straight back (as a
printable page or a download); the browser may keep the form only if the user opts in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, current_app, render_template, request
from flask_wtf.csrf import CSRFError

from ... import MAX_CHARS, InputError, analyse
from .. import errors
from ...prepare import (ONE_PAGE_WORDS, STORY, STORY_IDS, Fields, add_practice, catalogue, count_words,
                        normalise, prefill, render_markdown, render_text, source_words, title)

bp = Blueprint("prepare", __name__)

DOWNLOADS = {"md": ("text/markdown; charset=utf-8", render_markdown),
             "txt": ("text/plain; charset=utf-8", render_text)}
FIELD_NAMES = ("name", *STORY_IDS, "own_questions", "notes", "source_draft")


@dataclass
class View:
    """What the builder shows besides the fields: messages, and what the browser may restore."""
    errors: list = field(default_factory=list)     # (field id, message)
    notice: str = ""
    missing: tuple = ()                           # story part ids a draft did not cover
    to_add: dict = field(default_factory=dict)    # part id -> what to add to what the draft gave
    shared: dict = field(default_factory=dict)    # part id -> label of the part holding its sentence
    restore: str = "none"                         # what the browser may restore of a kept brief: all | text | none
    status: int = 200


@bp.get("/resources")
def resources():
    return render_template("prepare/resources.html", groups=catalogue().groups(),
                           defaults=set(Fields.new(catalogue()).resources))


@bp.get("/questions")
def questions():
    cat = catalogue()
    return render_template("prepare/questions.html", questions=cat.questions,
                           defaults=set(cat.default_questions()))


@bp.route("/prepare", methods=["GET", "POST"])
def builder():
    cat = catalogue()
    if request.method == "GET":
        # The questions and resources pages send the ticked ids here (ids only, never health text).
        fields = Fields.new(cat, request.args.getlist("q") if "q" in request.args else None,
                            request.args.getlist("r") if "r" in request.args else None)
        return page(fields, View(restore="text" if request.args else "all"))
    form = request.form
    if "builder" not in form:
        return incoming(form)
    fields = Fields.from_form(form, form.getlist("q"), form.getlist("r"), cat)
    action = form.get("action", "")
    view = View(errors=fields.problems())
    if view.errors:
        view.status = 400
        return page(fields, view)
    if action in DOWNLOADS:
        return download(fields, action)
    if action == "brief":
        return brief_page(fields)
    return page(fields, view)


def incoming(form) -> tuple:
    """A post from another page: a draft to organise (`draft`), or rehearsed phrases (`practice`)."""
    cat = catalogue()
    fields = Fields.new(cat)
    view = View()
    messages = []
    draft = normalise(form.get("draft", ""))
    if draft.strip():
        try:
            result = analyse(draft, "draft")   # analyse() checks the text itself
        except InputError as exc:
            fields.source_draft = draft
            message = str(exc)
            view.errors.append(("source_draft", "Your draft: " + message[:1].lower() + message[1:] + "."))
            view.status = 413 if len(draft) > MAX_CHARS else 400
        else:
            got = prefill(fields, draft, result)
            if got.filled:
                labels = {p.id: p.label for p in STORY}
                view.to_add = got.notes
                view.shared = {pid: labels[other] for pid, other in got.shared.items()}
                view.missing = tuple(p.id for p in STORY if not fields.story[p.id] and p.id not in got.shared)
                covered = len(got.filled) + len(got.shared)
                messages.append(f"{covered} of {len(STORY)} parts of your story came from your draft. "
                                "Check each one reads the way you want"
                                + ("; the empty ones have a prompt to help." if view.missing else ".")
                                + " Your whole draft is at the end, for reference.")
            else:
                messages.append("Your draft is in the notes below. Move each part into the box it fits, "
                                "keeping only what a busy prescriber needs.")
    practice = form.get("practice", "")
    if practice.strip():
        n = add_practice(fields, practice)
        if n:
            messages.append(f"{n} phrase{'s' if n != 1 else ''} you practised {'are' if n != 1 else 'is'} "
                            "in your notes.")
    view.errors += fields.problems()
    if view.errors and view.status == 200:
        view.status = 400
    view.notice = " ".join(messages)
    return page(fields, view)


def page(fields: Fields, view: View):
    cat = catalogue()
    brief = fields.brief(cat)
    html = render_template("prepare/builder.html", fields=fields, view=view, story=STORY, cat=cat,
                           groups=cat.groups(), errors=dict(view.errors), brief=brief,
                           one_page_words=ONE_PAGE_WORDS, count_words=count_words, source_words=source_words)
    return html, view.status


def brief_page(fields: Fields):
    brief = fields.brief(catalogue())
    return render_template("prepare/brief.html", fields=fields, brief=brief, title=title(brief),
                           field_names=FIELD_NAMES, one_page_words=ONE_PAGE_WORDS)


def download(fields: Fields, kind: str):
    mimetype, render = DOWNLOADS[kind]
    body = render(fields.brief(catalogue()))
    response = current_app.response_class(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="appointment-brief.{kind}"'
    return response


# ---- errors that must not lose what was typed -------------------------------------------------------

@bp.errorhandler(CSRFError)
def csrf_failed(exc):
    """An expired form: keep everything, do nothing else, and hand out a fresh token with the page."""
    if request.endpoint != "prepare.builder":
        return errors.csrf_failed(exc)
    cat = catalogue()
    form = request.form
    fields = Fields.from_form(form, form.getlist("q"), form.getlist("r"), cat)
    if "builder" not in form:
        fields = Fields.new(cat)
        fields.source_draft = normalise(form.get("draft", ""))
        add_practice(fields, form.get("practice", ""))
    message = ("This page had been open a long time (or rehearse restarted), so nothing was done. "
               "Everything you typed is still here: press the button again.")
    return page(fields, View(errors=[("form", message)], status=400))


@bp.errorhandler(413)
def too_large(exc):
    """A body over the app's limit: keep what can be read back within it, and say what to do."""
    if request.endpoint != "prepare.builder":
        return errors.too_large(exc)
    cat = catalogue()
    pairs = errors.salvage_form()
    form = {}
    lists: dict[str, list] = {"q": [], "r": []}
    for name, value in pairs:
        if name in lists:
            lists[name].append(value)
        elif name in FIELD_NAMES or name in ("draft", "practice"):
            form.setdefault(name, value)
    fields = Fields.from_form(form, lists["q"], lists["r"], cat)
    if not fields.source_draft and form.get("draft"):
        fields.source_draft = normalise(form["draft"])
    message = ("That is more text than rehearse takes at once. What could be read back is below; "
               "please shorten it so the brief fits on one page.")
    return page(fields, View(errors=[("form", message)] + fields.problems(), status=413))
