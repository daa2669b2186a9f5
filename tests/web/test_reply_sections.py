"""The review page's reply sections: the taper-plan check with its chart, the profile table, and
reply ideas with their sources in the red-flag cards."""
from __future__ import annotations

import re

FAST = "Let's cut you from 2 mg to 1 mg this week and you can stop next week."
PACED = "We'll reduce your dose by about 10% every 2 to 4 weeks, and pause if withdrawal symptoms appear."


def section(html: str, cls: str) -> str:
    m = re.search(rf'<section class="{cls}".*?</section>', html, re.S)
    assert m, f"no {cls} section"
    return m.group(0)


def test_a_rushed_plan_shows_the_concern_with_numbers_and_a_chart(forms):
    html = forms.post("/reply", text=FAST).get_data(as_text=True)
    plan = section(html, "plan")
    assert "Faster than the guideline" in plan
    assert "100% of the dose per 2 weeks" in plan
    assert "2 mg to 1 mg this week" in plan
    assert '<svg viewBox="0 0 330 186"' in plan and 'role="img"' in plan
    assert 'stroke-dasharray="8 5"' in plan       # the guideline curve is dashed, not only coloured
    assert "<table class=\"plan__table\">" in plan and "<th scope=\"row\">" in plan
    assert "not medical advice" in plan


def test_a_guideline_paced_plan_shows_no_concern(forms):
    html = forms.post("/reply", text=PACED).get_data(as_text=True)
    plan = section(html, "plan")
    assert "Within the guideline" in plan and "Faster than the guideline" not in plan
    assert "10% of the dose per 2 weeks" in plan
    assert "reply.taper-too-fast" not in html and "rushed schedule" not in html


def test_no_plan_says_so(forms):
    html = forms.post("/reply", text="Thanks for your message, see you next month.").get_data(as_text=True)
    assert "No taper plan was found" in section(html, "plan")


def test_not_enough_detail_is_shown_as_such(forms):
    html = forms.post("/reply", text="Reduce by 0.5 mg every 3 days.").get_data(as_text=True)
    assert "Not enough detail to check" in section(html, "plan")


def test_the_profile_table_shows_each_aspect_with_evidence(forms):
    html = forms.post("/reply", text=FAST + " I'd like you to see a therapist too.").get_data(as_text=True)
    prof = section(html, "profile")
    for label in ("Main goal", "Time horizon", "View of dependence", "Taper knowledge", "Non-drug tools"):
        assert f'<th scope="row" role="rowheader">{label}</th>' in prof
    assert "prescribing-focused" in prof and "deprescribing-focused" in prof
    assert re.search(r"<q class=\"profile__quote\">[^<]*therapist[^<]*</q>", prof)
    assert "not a verdict on the person" in prof


def test_red_flag_cards_show_reply_ideas_with_sources_and_copy_buttons(forms):
    html = forms.post("/reply", text=FAST).get_data(as_text=True)
    card = re.search(r'<li class="flag flag--concern".*?</li>\s*</ol>', html, re.S).group(0)
    assert 'class="replies__idea"' in card
    assert re.search(r'class="replies__source">Source: <a href="https://www\.fda\.gov/', card)
    assert "Stopping them abruptly or reducing the dosage too quickly" in card   # the FDA's own words
    ideas = re.findall(r'<li class="replies__idea"><p class="replies__text" id="([^"]+)"', card)
    assert ideas and all(f'aria-describedby="{i}"' in card for i in ideas)
    assert card.count("data-copy=") >= len(ideas)


def test_the_htmx_fragment_has_the_sections_too(forms):
    html = forms.post("/reply", htmx=True, text=FAST).get_data(as_text=True)
    assert '<section class="plan"' in html and '<section class="profile"' in html
    assert "<html" not in html


def test_the_sections_use_no_inline_styles_or_scripts(forms):
    html = forms.post("/reply", text=FAST).get_data(as_text=True)
    for cls in ("plan", "profile"):
        part = section(html, cls)
        assert "style=" not in part and "<script" not in part and "<style" not in part


def test_draft_mode_shows_no_reply_sections(forms):
    html = forms.post("/draft", text=FAST).get_data(as_text=True)
    assert '<section class="plan"' not in html and '<section class="profile"' not in html


def test_the_api_returns_the_sections(client):
    data = client.post("/api/analyse", json={"text": FAST, "mode": "reply"}).get_json()
    assert data["taper_plan"]["too_fast"] is True and data["taper_plan"]["reduction_per_2_weeks"] == 1.0
    assert [a["id"] for a in data["profile"]["aspects"]][0] == "main_goal"
