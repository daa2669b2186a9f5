"""The draft page shows the story checklist, the length, and a separate form to build the brief."""
from __future__ import annotations

import html as html_lib
import re

import pytest

DRAFT = ("I have taken clonazepam 1 mg for six years. It was prescribed for panic attacks. "
         "I would like to taper slowly, with holds when I need them.")


def story_section(page: str) -> str:
    m = re.search(r'<section class="story" id="story".*?</section>', page, re.S)
    assert m, "no story section"
    return m.group(0)


def items(section: str) -> dict[str, str]:
    return dict(re.findall(r'<li class="story__item story__item--\w+" id="story-(\w+)">(.*?)</li>', section, re.S))


def test_the_draft_page_shows_the_checklist(forms):
    response = forms.post("/draft", text=DRAFT)
    assert response.status_code == 200
    section = story_section(response.get_data(as_text=True))
    found = items(section)
    assert list(found) == ["duration_dose", "reason_prescribed", "past_attempts", "reason_now", "experience",
                           "taper_wish"]
    covered = found["duration_dose"]
    assert '<span class="story__status">covered</span>' in covered
    assert "<blockquote class=\"story__quote\">I have taken clonazepam 1 mg for six years.</blockquote>" in covered
    assert "It was prescribed for panic attacks." in found["reason_prescribed"]
    missing = found["past_attempts"]
    assert '<span class="story__status">missing</span>' in missing
    assert "Try adding:" in missing and "story__quote" not in missing
    assert "3 of 6 covered" in section


def test_each_state_is_said_in_words_not_colour_alone(forms):
    section = story_section(forms.post("/draft", text="I take Klonopin and I want to get off it.").get_data(as_text=True))
    for item in items(section).values():
        status = re.search(r'<span class="story__status">([^<]+)</span>', item).group(1)
        assert status in ("covered", "partly covered", "missing")
        assert re.search(r'<span class="story__icon" aria-hidden="true">', item)
    assert "partly covered" in section and "You name Klonopin" in section


def test_the_length_and_advice_are_shown(forms):
    long_draft = " ".join([DRAFT] * 10)
    section = story_section(forms.post("/draft", text=long_draft).get_data(as_text=True))
    words = len(long_draft.split())
    assert f"<dt>Words</dt><dd>{words}</dd>" in section
    assert "<dt>To say</dt><dd>about" in section and "<dt>To read</dt><dd>about" in section
    assert "story__advice--over" in section and "Aim for under 250 words" in section
    assert 'class="vh">Over the target: </span>' in section


def test_a_long_sentence_is_listed(forms):
    sentence = ("I have been taking this medicine every single night for many years now and I have slowly come "
                "to feel that it no longer helps me sleep the way it did at the start.")
    section = story_section(forms.post("/draft", text=sentence).get_data(as_text=True))
    assert "Longest sentences" in section
    assert f"<span class=\"story__words\">34 words</span> <q>{sentence}</q>" in section


def test_htmx_results_carry_the_checklist(forms):
    response = forms.post("/draft", htmx=True, text=DRAFT)
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="results"')
    assert "3 of 6 covered" in story_section(page)


def test_the_brief_form_is_separate_and_posts_the_draft(forms):
    text = 'I take "Xanax" 0.5 mg & want <less>.\nSecond line.'
    page = forms.post("/draft", text=text).get_data(as_text=True)
    check_start = page.index('<form id="check-form"')
    check_end = page.index("</form>", check_start)
    brief = re.search(r'<form class="story__brief" method="post" action="/prepare">(.*?)</form>', page, re.S)
    assert brief, "no brief form"
    assert brief.start() > check_end, "the brief form must not be nested in the check form"
    body = brief.group(1)
    assert "<form" not in body
    draft = re.search(r'<input type="hidden" name="draft" value="([^"]*)">', body).group(1)
    assert html_lib.unescape(draft) == text
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', body)
    assert 'id="csrf_token"' not in body  # the check form's token keeps its unique id
    assert ">Build your appointment brief</button>" in body


def test_the_reply_page_has_no_checklist(forms):
    page = forms.post("/reply", text="You can taper slowly.").get_data(as_text=True)
    assert 'class="story"' not in page and "Build your appointment brief" not in page


def test_the_empty_draft_page_has_no_checklist(client):
    assert 'class="story"' not in client.get("/draft").get_data(as_text=True)


def test_the_brief_form_reaches_the_builder_with_the_story(client, forms):
    page = forms.post("/draft", text=DRAFT).get_data(as_text=True)
    body = re.search(r'<form class="story__brief"[^>]*>(.*?)</form>', page, re.S).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    response = client.post("/prepare", data={"csrf_token": token, "draft": DRAFT})
    if response.status_code == 404:
        pytest.skip("the /prepare page is not in this build")
    assert response.status_code == 200
    assert "I have taken clonazepam 1 mg for six years." in response.get_data(as_text=True)


@pytest.mark.browser
def test_the_checklist_passes_axe_and_the_brief_button_is_reachable_by_keyboard(open_tab):
    from browsing import AXE_JS
    tab = open_tab(bypass_csp=True)
    page = tab.goto("/draft?example=1")
    page.wait_for_selector("#story")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run('#story', {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"]] == []
    button = page.get_by_role("button", name="Build your appointment brief")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.textContent.trim()") \
                == "Build your appointment brief":
            break
    else:
        pytest.fail("the brief button was not reached with the Tab key")
    assert button.is_visible()
