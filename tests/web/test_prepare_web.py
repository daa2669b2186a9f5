"""The prepare pages over HTTP: library, questions, the brief builder, the brief and its downloads."""
from __future__ import annotations

import html as htmllib
import logging
import re

import pytest
from test_pages import audit

from rehearse import analyse
from rehearse.prepare import STORY, catalogue

PAGES = ["/resources", "/questions", "/prepare", "/prepare?q=small-doses&r=ashton-manual"]

RAMBLING_DRAFT = (
    "Hi, so I don't really know where to start. I've been on clonazepam 1 mg for about six years now, "
    "it was for panic attacks after my dad died. Anyway I tried to stop twice and both times I couldn't "
    "sleep for weeks, it was awful. Now I'm so foggy and tired all the time and I want to get off it. "
    "I'd like to go slowly this time, maybe small cuts every few weeks."
)


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea id="{name}"[^>]*>\n(.*?)</textarea>', html, re.S)
    assert found, f"no textarea {name}"
    return htmllib.unescape(found.group(1))


def checked(html: str, name: str) -> list[str]:
    return [m.group(1) for m in re.finditer(rf'<input type="checkbox" id="[^"]+" name="{name}" value="([^"]+)"'
                                            r'[^>]*?\bchecked\b', html)]


def builder_data(**fields) -> dict:
    data = {"builder": "1", "q": ["withdrawal-plan", "slow-symptom-based"], "r": ["fda-2020", "asam-2025"],
            "duration_dose": "Clonazepam 1 mg for six years.", "reason_now": "I feel foggy.",
            "notes": "Bring the diary."}
    data.update(fields)
    return data


# ---- the pages ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", PAGES)
def test_page_renders_with_headers_and_no_inline_code(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "not medical advice" in html.lower()
    assert 'href="/static/css/prepare.css"' in html
    found = audit(html)
    assert (found.inline_scripts, found.style_attrs, found.handlers, found.foreign) == ([], [], [], [])
    assert len(found.ids) == len(set(found.ids))
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_resources_page_shows_every_source_with_citation_address_and_what_to_print(client):
    html = htmllib.unescape(client.get("/resources").get_data(as_text=True))
    for source in catalogue().sources.values():
        assert f'id="{source.id}"' in html
        assert source.citation in html and source.why in html and f'href="{source.url}"' in html
        if source.print:
            assert source.print in html
    assert html.count("<h2") >= 3


def test_questions_page_shows_both_answers_and_links_each_to_reply_review(client):
    html = htmllib.unescape(client.get("/questions").get_data(as_text=True))
    questions = catalogue().questions
    for q in questions:
        assert q.question in html and all(a in html for a in q.benzo_wise + q.red_flag)
    assert html.count('<a href="/reply">Paste their answer here') == len(questions)


def test_builder_has_the_six_story_boxes_in_the_seed_order_with_labels(client):
    html = client.get("/prepare").get_data(as_text=True)
    ids = re.findall(r'<textarea id="(\w+)" name="\1"', html)
    assert ids[:6] == [p.id for p in STORY]
    for part in STORY:
        assert f'<label for="{part.id}" class="field__label">{htmllib.escape(part.label)}</label>' in html
    assert checked(html, "q") == list(catalogue().default_questions())
    assert len(checked(html, "r")) == 3
    assert 'data-restore="all"' in html


def test_the_library_and_question_pages_preselect_the_builder(client):
    html = client.get("/prepare?q=small-doses&q=nope&r=ashton-manual").get_data(as_text=True)
    assert checked(html, "q") == ["small-doses"] and checked(html, "r") == ["ashton-manual"]
    assert 'data-restore="text"' in html


# ---- coming from other pages -------------------------------------------------------------------------

def test_a_posted_draft_prefills_the_story_or_the_notes(forms):
    response = forms.post("/prepare", draft=RAMBLING_DRAFT)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert textarea(html, "source_draft") == RAMBLING_DRAFT and 'data-restore="none"' in html
    elements = (analyse(RAMBLING_DRAFT, "draft").get("story") or {}).get("elements") or []
    found = [e for e in elements if (e.get("present") or e.get("partial")) and e.get("evidence")]
    if found:   # the story checklist is there: each sentence it found is in the first box it fits
        placed = set()
        for e in found:
            evidence = e["evidence"] if isinstance(e["evidence"], str) else " ".join(e["evidence"])
            evidence = " ".join(evidence.split())
            assert textarea(html, e["id"]) == ("" if evidence in placed else evidence), e["id"]
            placed.add(evidence)
        assert "came from your draft" in html and textarea(html, "notes") == ""
        assert "Hi, so I don't really know where to start" not in "".join(
            textarea(html, p.id) for p in STORY)
    else:       # no checklist: nothing is lost, the draft waits in the notes
        assert textarea(html, "notes") == RAMBLING_DRAFT
        assert "Your draft is in the notes below" in html


def test_practised_phrases_arrive_in_the_notes(forms):
    response = forms.post("/prepare", practice="I really value your input.\nCould we explore this together?")
    html = response.get_data(as_text=True)
    assert textarea(html, "notes") == ("Phrases I practised:\n- I really value your input.\n"
                                       "- Could we explore this together?")
    assert "2 phrases you practised are in your notes" in html


def test_a_draft_that_cannot_be_analysed_is_kept_with_a_message(forms):
    draft = "binary \x00 junk and my clonazepam dose"
    response = forms.post("/prepare", draft=draft)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "control character" in html and textarea(html, "source_draft") == draft


# ---- the builder's own posts -------------------------------------------------------------------------

def test_make_my_brief_shows_the_printable_brief(forms):
    response = forms.post("/prepare", action="brief", **builder_data(own_questions="Can my partner come?"))
    assert response.status_code == 200
    html = htmllib.unescape(response.get_data(as_text=True))
    brief = html[html.index('<article class="brief"'):html.index("</article>")]
    assert "Preparing for my appointment" in brief and "Not medical advice:" in brief
    assert "Medicine, dose and how long" in brief and "Clonazepam 1 mg for six years." in brief
    assert "Why it was prescribed" not in brief   # empty parts are left off
    sources = catalogue().sources
    for sid in ("fda-2020", "asam-2025"):
        assert sources[sid].citation in brief and sources[sid].url in brief and sources[sid].print in brief
    # chosen questions in the library's order, then the user's own
    assert brief.index("Do you support very slow") < brief.index("If I get withdrawal") < brief.index("Can my partner")


def test_the_brief_posts_everything_back_for_editing(forms):
    data = builder_data(notes="Line one\nLine two", name="Sam")
    html = forms.post("/prepare", action="brief", **data).get_data(as_text=True)
    hidden = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html):
        hidden.setdefault(name, []).append(htmllib.unescape(value))
    assert sorted(hidden["q"]) == sorted(data["q"]) and sorted(hidden["r"]) == sorted(data["r"])
    back = forms.client.post("/prepare", data={**{k: v if len(v) > 1 else v[0] for k, v in hidden.items()},
                                               "action": "edit"})
    page = back.get_data(as_text=True)
    assert back.status_code == 200
    assert textarea(page, "notes") == "Line one\nLine two" and textarea(page, "duration_dose") == data["duration_dose"]
    assert checked(page, "q") == ["slow-symptom-based", "withdrawal-plan"]


@pytest.mark.parametrize("kind,mimetype,heading", [("md", "text/markdown", "## My story"),
                                                   ("txt", "text/plain", "MY STORY")])
def test_downloads_are_attachments_that_are_never_cached(forms, kind, mimetype, heading):
    response = forms.post("/prepare", action=kind, **builder_data())
    assert response.status_code == 200
    assert response.mimetype == mimetype and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="appointment-brief.{kind}"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_data(as_text=True)
    assert heading in body and "Clonazepam 1 mg for six years." in body
    assert catalogue().sources["asam-2025"].url in body


def test_markup_is_shown_as_text_in_the_builder_and_the_brief(forms):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    for action in ("edit", "brief"):
        html = forms.post("/prepare", action=action, **builder_data(notes=evil, name=evil)).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html


def test_a_too_long_part_is_refused_kindly_and_kept(forms):
    long = "I have so much to say. " * 120
    response = forms.post("/prepare", action="brief", **builder_data(experience=long))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "What I experience:" in html and "please shorten it" in html
    assert 'aria-invalid="true"' in html and '<a href="#experience">' in html
    assert textarea(html, "experience") == long and '<article class="brief"' not in html


def test_a_binary_field_is_refused_kindly_and_kept(forms):
    response = forms.post("/prepare", action="md", **builder_data(notes="\x01\x02binary"))
    assert response.status_code == 400 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "control character (U+0001)" in html


def test_a_body_over_the_request_limit_keeps_what_it_can(forms, app):
    story = "I would like to taper slowly. " * 20_000   # 600,000 characters, over the body limit
    response = forms.post("/prepare", action="brief", **builder_data(experience=story))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "more text than rehearse takes at once" in html
    assert textarea(html, "duration_dose") == "Clonazepam 1 mg for six years."
    kept = textarea(html, "experience")
    assert len(kept) > 1000 and story.startswith(kept[:1000])


def test_a_missing_csrf_token_does_nothing_but_keeps_everything(client):
    response = client.post("/prepare", data={**builder_data(), "action": "md"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "press the button again" in html
    assert textarea(html, "duration_dose") == "Clonazepam 1 mg for six years."
    assert checked(html, "r") == ["fda-2020", "asam-2025"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    again = client.post("/prepare", data={**builder_data(), "action": "md", "csrf_token": token})
    assert again.status_code == 200 and again.mimetype == "text/markdown"


def test_cross_site_posts_are_refused(forms):
    token = forms.token("/prepare")
    response = forms.client.post("/prepare", data={**builder_data(), "csrf_token": token},
                                 headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_building_a_brief_logs_none_of_it(forms, caplog):
    caplog.set_level(logging.DEBUG)
    forms.post("/prepare", draft="My secret zolpidem story.")
    forms.post("/prepare", action="brief", **builder_data(notes="my private clonazepam dose"))
    forms.post("/prepare", action="txt", **builder_data(notes="my private clonazepam dose"))
    assert "clonazepam" not in caplog.text and "zolpidem" not in caplog.text
