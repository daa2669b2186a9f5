"""The reply sections in headless Chromium: paste the issue's example, see the plan concern with its
numbers and the chart, and axe-core finds no serious violation on that page."""
from __future__ import annotations

import pytest
from browsing import DESKTOP, PHONE, axe_serious

pytestmark = pytest.mark.browser

FAST = "Let's cut you from 2 mg to 1 mg this week and you can stop next week."


def paste(tab, text: str):
    page = tab.page
    page.locator("#text").fill(text)
    page.locator("#text").dispatch_event("input")
    page.wait_for_selector("section.plan .plan__card")
    tab.results_settled()
    return page


def test_pasting_a_rushed_plan_shows_the_concern_numbers_and_chart(tab):
    tab.goto("/reply")
    page = paste(tab, FAST)
    plan = page.locator("section.plan")
    assert "Faster than the guideline" in plan.inner_text()
    assert "100% of the dose per 2 weeks" in plan.inner_text()
    assert plan.locator("svg[role=img]").is_visible()
    assert plan.locator("path.plan__line--plan").count() == 1
    card = page.locator(".flag--concern").first
    assert "25%" in card.locator(".flag__title").inner_text()
    assert card.locator(".replies__source a[href^='https://']").count() >= 1
    assert card.locator("button[data-copy]").first.is_visible()   # copy buttons appear with JavaScript
    assert page.locator("section.profile table").is_visible()


def test_the_chart_table_opens_by_keyboard(tab):
    tab.goto("/reply")
    page = paste(tab, FAST)
    summary = page.locator(".plan__data summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator(".plan__table").is_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_violation_with_the_sections(open_tab, viewport):
    tab = open_tab(viewport=viewport, bypass_csp=True)
    tab.goto("/reply")
    page = paste(tab, FAST + " I'd like you to see a therapist too.")
    serious = axe_serious(page)
    assert serious == [], "\n".join(serious)
