"""The two check pages as forms: full page without JavaScript, a fragment for htmx, and every action."""
from __future__ import annotations

import json
import re

import pytest
from samples import DRAFT_CONCERN, REPLY_CONCERN

from rehearse import MAX_CHARS
from rehearse.web import checking, wording


def marks(html: str) -> list[str]:
    """The visible words of each inline mark."""
    return re.findall(r'<span class="mark__text">([^<]*)</span>', html)


def hidden_value(html: str, name: str) -> str:
    import html as html_lib
    return html_lib.unescape(re.search(rf'name="{name}" value="([^"]*)"', html).group(1))


def textarea(html: str) -> str:
    import html as html_lib
    return html_lib.unescape(re.search(r'<textarea[^>]*>\n(.*?)</textarea>', html, re.S).group(1))


@pytest.mark.parametrize("path,text,needle", [
    ("/draft", DRAFT_CONCERN, "You need to give me"),
    ("/reply", REPLY_CONCERN, "just stop"),
])
def test_post_without_javascript_returns_the_whole_page_with_marks(forms, path, text, needle):
    response = forms.post(path, text=text)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert any(needle in m for m in marks(html))
    assert textarea(html) == text
    assert 'class="mark mark--concern"' in html


@pytest.mark.parametrize("path,text", [("/draft", DRAFT_CONCERN), ("/reply", REPLY_CONCERN)])
def test_htmx_post_returns_only_the_results_fragment(forms, path, text):
    response = forms.post(path, htmx=True, text=text)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and "<textarea" not in html
    assert marks(html)
    assert 'id="announce" hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response.headers.get("Vary", "")


def test_check_form_is_a_real_form_enhanced_with_htmx(client):
    html = client.get("/draft").get_data(as_text=True)
    form = re.search(r"<form[^>]*>", html, re.S).group(0)
    assert 'method="post"' in form and 'action="/draft#results"' in form
    assert 'hx-post="/draft"' in form and 'hx-target="#results"' in form
    assert "delay:400ms" in form and 'hx-sync="this:queue last"' in form and "hx-indicator" in form


def test_empty_text_shows_guidance_not_an_error(forms):
    response = forms.post("/draft", text="   \n ")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="empty"' in html and 'role="alert"' not in html


def test_markup_in_the_text_is_shown_as_text(forms):
    text = '<script>alert(1)</script><img src=x onerror=alert(2)> ' + DRAFT_CONCERN
    html = forms.post("/draft", text=text).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert textarea(html) == text


def test_a_text_over_the_limit_is_refused_kindly_and_kept(forms):
    text = "Please help. " * (MAX_CHARS // 10)
    response = forms.post("/draft", text=text)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "20,000" in html and 'role="alert"' in html
    assert textarea(html) == text


def test_a_text_over_the_limit_via_htmx_shows_the_message_in_the_fragment(forms):
    response = forms.post("/draft", htmx=True, text="x " * MAX_CHARS)
    assert response.status_code == 200  # swapped in by htmx; the fragment carries the message
    assert "20,000" in response.get_data(as_text=True)


def test_a_body_over_the_request_limit_keeps_the_start_of_the_text(forms, app):
    text = "I would like to taper slowly. " * 20_000  # 600,000 characters, far over the body limit
    response = forms.post("/draft", text=text)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "20,000" in html
    kept = textarea(html)
    assert kept == text[:MAX_CHARS]


def test_a_control_character_is_refused_kindly(forms):
    response = forms.post("/draft", text="binary \x00 junk")
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)


def test_missing_csrf_token_checks_nothing_but_keeps_the_text(client):
    response = client.post("/draft", data={"text": DRAFT_CONCERN})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "press Check again" in html
    assert textarea(html) == DRAFT_CONCERN
    assert marks(html) == []


def test_expired_csrf_token_over_htmx_hands_out_a_fresh_one(client):
    response = client.post("/draft", data={"text": DRAFT_CONCERN, "csrf_token": "stale"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "press Check again" in html
    token = re.search(r'id="csrf_token" name="csrf_token" value="([^"]+)" hx-swap-oob="true"', html).group(1)
    again = client.post("/draft", data={"text": DRAFT_CONCERN, "csrf_token": token}, headers={"HX-Request": "true"})
    assert marks(again.get_data(as_text=True))


def test_cross_site_posts_are_refused(forms):
    token = forms.token()
    response = forms.client.post("/draft", data={"text": "hi", "csrf_token": token},
                                 headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_example_link_shows_an_analysed_example(client):
    html = client.get("/draft?example=1").get_data(as_text=True)
    assert textarea(html) == wording.EXAMPLES["draft"]
    assert marks(html)


# ---- dismissals ----------------------------------------------------------------------------------

def test_dismiss_without_javascript_hides_the_flag_and_updates_counts(forms):
    first = forms.post("/draft", text=DRAFT_CONCERN).get_data(as_text=True)
    key = re.search(r'name="dismiss" value="([^"]+)"', first).group(1)
    html = forms.post("/draft", text=DRAFT_CONCERN, dismiss=key).get_data(as_text=True)
    assert not any("You need to give me" in m for m in marks(html))
    assert "Dismissed for this text (1)" in html
    assert json.loads(hidden_value(html, "dismissed")) == ["draft.you-must:you need to give me"]
    assert re.search(r"!</span>0 concerns", html)


def test_a_dismissal_survives_edits_elsewhere_in_the_text(forms):
    dismissed = json.dumps(["draft.you-must:you need to give me"])
    html = forms.post("/draft", text="Hello Dr. Lee.\n\n" + DRAFT_CONCERN + " Thanks for your time.",
                      dismissed=dismissed).get_data(as_text=True)
    assert not any("You need to give me" in m for m in marks(html))
    assert "Dismissed for this text (1)" in html


def test_a_dismissal_does_not_hide_other_words_for_the_same_rule(forms):
    dismissed = json.dumps(["draft.you-must:you need to give me"])
    html = forms.post("/draft", text="You must refill my clonazepam today.", dismissed=dismissed).get_data(as_text=True)
    assert any("You must refill" in m for m in marks(html))


def test_restore_brings_a_dismissed_flag_back(forms):
    key = "draft.you-must:you need to give me"
    html = forms.post("/draft", text=DRAFT_CONCERN, dismissed=json.dumps([key]), restore=key).get_data(as_text=True)
    assert any("You need to give me" in m for m in marks(html))
    assert json.loads(hidden_value(html, "dismissed")) == []


def test_malformed_dismissed_field_is_ignored(forms):
    html = forms.post("/draft", text=DRAFT_CONCERN, dismissed="{not json").get_data(as_text=True)
    assert marks(html)


# ---- rewrites --------------------------------------------------------------------------------------

def test_apply_without_javascript_rewrites_the_text_and_offers_undo(forms):
    first = forms.post("/draft", text=DRAFT_CONCERN).get_data(as_text=True)
    value = re.search(r'name="apply" value="([^"]+)"', first).group(1)
    html = forms.post("/draft", text=DRAFT_CONCERN, apply=value).get_data(as_text=True)
    assert textarea(html).startswith("Would you")
    assert not any("You need to give me" in m for m in marks(html))
    assert hidden_value(html, "previous") == DRAFT_CONCERN
    undone = forms.post("/draft", text=textarea(html), previous=DRAFT_CONCERN, undo="1").get_data(as_text=True)
    assert textarea(undone) == DRAFT_CONCERN


def test_apply_with_an_index_that_no_longer_fits_changes_nothing(forms):
    html = forms.post("/draft", text=DRAFT_CONCERN, apply="7.3").get_data(as_text=True)
    assert textarea(html) == DRAFT_CONCERN
    assert "no longer fits" in html


def test_rewrite_buttons_carry_browser_offsets_and_the_words_they_replace(forms):
    text = "🙂🙂 Hello.\r\n" + DRAFT_CONCERN
    html = forms.post("/draft", text=text).get_data(as_text=True)
    button = re.search(r"<button[^>]*data-apply[^>]*>", html, re.S).group(0)
    start = int(re.search(r'data-start="(\d+)"', button).group(1))
    end = int(re.search(r'data-end="(\d+)"', button).group(1))
    expect = re.search(r'data-expect="([^"]*)"', button).group(1)
    browser_text = text.replace("\r\n", "\n").encode("utf-16-le")
    assert browser_text[start * 2:end * 2].decode("utf-16-le") == expect
    assert expect.startswith("You need to give me")


def test_reply_red_flags_offer_calm_replies_to_copy(forms):
    html = forms.post("/reply", text=REPLY_CONCERN).get_data(as_text=True)
    assert "You could reply" in html
    assert re.search(r'<button type="button" class="button button--small" data-copy="[^"]+"', html)
    assert 'name="apply"' not in html


def test_sources_are_links_that_do_not_leak_the_page(forms):
    html = forms.post("/reply", text=REPLY_CONCERN).get_data(as_text=True)
    links = re.findall(r'<a href="(https://[^"]+)" rel="noopener noreferrer"', html)
    assert links


def test_tone_reasons_are_shown_beside_the_meter(forms):
    html = forms.post("/draft", text="Thank you so much. " + DRAFT_CONCERN).get_data(as_text=True)
    assert re.search(r'<meter id="score"[^>]*value="\d+"', html)
    assert "Raised by" in html and "Lowered by" in html
    assert "gratitude" in html


# ---- rendering against a fixed analysis (independent of the lexicons) -------------------------------

def fake_result(text, flags):
    return {"mode": "draft", "flags": flags, "suppressed": [],
            "summary": {"concerns": sum(f["polarity"] == "concern" for f in flags),
                        "strengths": sum(f["polarity"] == "strength" for f in flags), "collaboration": 50,
                        "tone": {"positive": {}, "negative": {}, "flags": {}, "total": 0}}}


def fake_flag(text, words, polarity="concern", rule="draft.fake"):
    start = text.index(words)
    return {"rule": rule, "category": "demand", "polarity": polarity, "severity": "high", "start": start,
            "end": start + len(words), "text": words, "message": "m", "explanation": "e",
            "suggestions": ["Could we?"], "sources": [{"title": "T", "url": "javascript:alert(1)"}]}


def test_overlapping_concern_and_strength_both_show(forms, monkeypatch):
    text = "Could we go slower right now please"
    flags = [fake_flag(text, "Could we go slower", "strength", "draft.s"), fake_flag(text, "slower right now")]
    monkeypatch.setattr(checking, "analyse", lambda t, m: fake_result(t, flags))
    html = forms.post("/draft", text=text).get_data(as_text=True)
    assert marks(html) == ["Could we go ", "slower", " right now"]
    assert "mark--concern mark--also-strength" in html


def test_a_source_url_that_is_not_web_is_not_a_link(forms, monkeypatch):
    text = "abc"
    monkeypatch.setattr(checking, "analyse", lambda t, m: fake_result(t, [fake_flag(t, "abc")]))
    html = forms.post("/draft", text=text).get_data(as_text=True)
    assert "javascript:" not in html


def test_a_flag_from_the_sentence_model_says_how_it_was_found(forms):
    html = forms.post("/reply", htmx=True, text="Honestly, the Klonopin can go in the bin from tomorrow.").get_data(as_text=True)
    assert "This reads like advice to stop the benzodiazepine outright" in html
    assert "Found by how the sentence reads, not by a listed phrase (high confidence)" in html
    lexicon_flag = forms.post("/reply", htmx=True, text="You can just stop taking it.").get_data(as_text=True)
    assert "Found by how the sentence reads" not in lexicon_flag
