"""Practise without JavaScript: pick a scenario, answer, try again, move on, finish with a summary.
The page carries every answer (the server keeps nothing); bad input keeps the answer in the box."""
from __future__ import annotations

import html
import json
import re

import pytest

from rehearse import rehearsal

SCENARIO = "two-week-taper"
URL = f"/practise/{SCENARIO}"
STRONG = "I'd like to taper slowly and safely. Could we try 10% every four weeks?"
DEMAND = "You need to give me a slower taper right now."


def token(client, path: str = URL) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def hidden(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))


def textarea(page: str, name: str = "answer") -> str:
    return html.unescape(re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1))


def post(client, tok, htmx=False, **data):
    data.setdefault("csrf_token", tok)
    data.setdefault("turn", "0")
    data.setdefault("history", "[]")
    data.setdefault("action", "check")
    headers = {"HX-Request": "true", "HX-Target": "practice"} if htmx else {}
    return client.post(URL, data=data, headers=headers)


def test_the_list_offers_every_scenario(client):
    page = client.get("/practise").get_data(as_text=True)
    for s in rehearsal.scenarios().values():
        assert f'href="/practise/{s.id}"' in page and html.escape(s.title) in page
    assert "Not medical advice" in page


def test_a_scenario_starts_at_its_first_line_with_an_empty_answer_box(client):
    page = client.get(URL).get_data(as_text=True)
    first = rehearsal.scenarios()[SCENARIO].turns[0].prescriber
    assert first in html.unescape(page) and "Line 1 of 3" in page
    assert textarea(page) == "" and hidden(page, "turn") == "0"
    assert "Show a model answer" not in page          # only after an attempt
    assert 'class="button button--small read-aloud"' in page and " hidden>" in page   # JS shows it


def test_an_unknown_scenario_is_a_friendly_404(client):
    response = client.get("/practise/no-such-thing")
    assert response.status_code == 404 and "There is no page here" in response.get_data(as_text=True)


def test_checking_an_answer_shows_feedback_keeps_the_answer_and_offers_the_model(client):
    tok = token(client)
    page = post(client, tok, answer=STRONG).get_data(as_text=True)
    assert "Strong answer" in page and "What your answer does" in page
    assert textarea(page) == STRONG                      # the box keeps it for another try
    assert json.loads(hidden(page, "history")) == [[STRONG], [], []]
    assert "Show a model answer" in page and 'value="next"' in page


def test_confrontational_wording_gets_a_rewrite_and_what_is_missing(client):
    page = post(client, token(client), answer=DEMAND).get_data(as_text=True)
    assert "Needs work" in page and "Wording that may put them on the defensive" in page
    assert "Try instead" in page or "<span class=\"tag\">Or</span>" in page
    assert "To make it stronger" in page and "Name a source" in page


def test_several_tries_are_kept_newest_last(client):
    tok = token(client)
    first = post(client, tok, answer=DEMAND).get_data(as_text=True)
    second = post(client, tok, answer=STRONG, history=hidden(first, "history")).get_data(as_text=True)
    assert json.loads(hidden(second, "history"))[0] == [DEMAND, STRONG]
    assert "2 tries at this line" in second


def test_next_line_moves_on_and_an_unchecked_answer_is_checked_not_lost(client):
    tok = token(client)
    page = post(client, tok, answer=STRONG).get_data(as_text=True)
    edited = STRONG + " Thank you."
    page = post(client, tok, action="next", answer=edited, history=hidden(page, "history")).get_data(as_text=True)
    assert "Line 2 of 3" in page and hidden(page, "turn") == "1" and textarea(page) == ""
    assert json.loads(hidden(page, "history"))[0] == [STRONG, edited]
    assert "The conversation so far" in page and edited in html.unescape(page)


def test_finishing_shows_the_summary_and_the_button_for_the_brief(client):
    tok = token(client)
    history = json.dumps([[DEMAND, STRONG], ["I'm worried about it."], []])
    response = post(client, tok, action="finish", turn="2", history=history,
                    answer="I know you're busy. I brought the Ashton Manual's schedule; could we look at it together?")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your practice summary" in page
    assert "What went well" in page and "What to practise" in page and "Phrases worth keeping" in page
    form = page[page.index('<form class="brief-form"'):]
    assert 'action="/prepare"' in form and 'name="csrf_token"' in form
    assert "Could we try 10% every four weeks?" in textarea(form, "practice")
    assert "You need to" not in textarea(form, "practice")


def test_next_on_the_last_line_finishes(client):
    page = post(client, token(client), action="next", turn="2", history=json.dumps([[STRONG], [], []]),
                answer="").get_data(as_text=True)
    assert "Your practice summary" in page


@pytest.mark.parametrize(("answer", "status", "message"), [
    ("   ", 400, "Type your answer first"),
    ("word " * 500, 413, "In the room you would have a minute or so"),
    ("I'd like\x00 10%", 400, "control character"),
])
def test_bad_input_gets_a_clear_message_and_the_answer_stays(client, answer, status, message):
    response = post(client, token(client), answer=answer)
    page = response.get_data(as_text=True)
    assert response.status_code == status and message in page
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    if answer.strip() and "\x00" not in answer:
        assert textarea(page) == answer


def test_markup_is_shown_as_text_never_as_markup(client):
    answer = "<script>alert(1)</script><b>Could we try 10% every four weeks?</b>"
    page = post(client, token(client), answer=answer).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_a_body_over_the_limit_keeps_the_start_of_the_answer(client, app):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = post(client, token(client), history=json.dumps([[STRONG], [], []]), answer=big)
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "far longer than rehearse checks" in page
    assert textarea(page).startswith("xxxx") and json.loads(hidden(page, "history"))[0] == [STRONG]


def test_tampered_hidden_fields_are_ignored_not_errors(client):
    tok = token(client)
    for history, turn in [("{not json", "0"), ('[["' + "y" * 5000 + '"]]', "1"), ("[1, 2, 3]", "99"), ("[]", "-4")]:
        response = post(client, tok, answer=STRONG, history=history, turn=turn)
        assert response.status_code == 200
        assert "y" * 5000 not in response.get_data(as_text=True)


def test_a_post_without_the_csrf_token_checks_nothing_and_keeps_the_answer(client):
    response = post(client, "not-a-token", answer=STRONG, history=json.dumps([[DEMAND], [], []]))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "nothing was checked" in page
    assert textarea(page) == STRONG and json.loads(hidden(page, "history"))[0] == [DEMAND]
    assert "Strong answer" not in page
    fresh = hidden(page, "csrf_token")
    assert post(client, fresh, answer=STRONG).status_code == 200


def test_htmx_gets_only_the_panel_with_focus_and_announcement(client):
    response = post(client, token(client), htmx=True, answer=STRONG)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.lstrip().startswith('<form id="practice"')
    assert "<html" not in page
    assert 'data-focus="feedback"' in page and 'data-announce="Strong answer.' in page
    bad = post(client, token(client), htmx=True, answer="  ").get_data(as_text=True)
    assert 'data-focus="answer"' in bad and "Type your answer first" in bad


def test_nothing_is_cached_and_the_page_loads_its_own_assets(client):
    response = client.get(URL)
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "/static/css/practise.css" in page and "/static/js/practise.js" in page
    assert "<style" not in page and "style=" not in page and "<script>" not in page
