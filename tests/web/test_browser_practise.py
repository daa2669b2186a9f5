"""Practise in headless Chromium: a whole scenario by keyboard alone, to the summary; axe-core; read aloud.

Every tab fails its test on a console error or a request to any other origin (see conftest.open_tab).
"""
from __future__ import annotations


import pytest
from browsing import DESKTOP, PHONE, axe_serious, shots_dir

from rehearse import rehearsal

pytestmark = pytest.mark.browser

SHOTS = shots_dir()   # docs/screenshots/ with REHEARSE_SCREENSHOTS=1, else a temporary folder
SCENARIO = "two-week-taper"
ANSWERS = [
    "I do want to come off, but slowly and safely. The FDA warns that reducing too quickly can cause "
    "seizures. Could we start with a 10% cut?",
    "When I cut down quickly last year, I had a seizure, and I'm scared of that happening again. "
    "Could we hold at each step for a few weeks?",
    "I know your time is limited. I've printed a simple schedule based on the Ashton Manual. "
    "Could we look at it together?",
]


def focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def assert_focus(page, selector: str, timeout: float = 5000) -> None:
    """Focus moves after htmx settles a swap (a tick later): wait for it, and fail if it never comes."""
    page.wait_for_function("s => !!document.activeElement && document.activeElement.matches(s)",
                           arg=selector, timeout=timeout)


def tab_until(page, selector: str, key: str = "Tab", limit: int = 60):
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page, selector):
            return
    pytest.fail(f"{selector} never received focus with {key}")


def settled(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_a_whole_scenario_by_keyboard_alone_ends_with_a_summary(tab):
    page = tab.goto(f"/practise/{SCENARIO}")
    lines = rehearsal.scenarios()[SCENARIO].turns
    for n, answer in enumerate(ANSWERS):
        assert lines[n].prescriber in page.locator("#line-quote").inner_text()
        tab_until(page, "#answer")
        page.keyboard.type("You need to do this now." if n == 0 else answer)
        tab_until(page, "#check-answer")
        page.keyboard.press("Enter")
        page.wait_for_selector("#feedback-title")
        settled(page)
        assert_focus(page, "#feedback-title")                      # focus moves to the feedback
        page.wait_for_function("() => document.getElementById('announce').textContent.length > 0")
        if n == 0:  # a first try that needs work, then a second try at the same line
            assert "Needs work" in page.locator("#feedback-title").inner_text()
            tab_until(page, "#answer", key="Shift+Tab")
            page.keyboard.press("Control+A")
            page.keyboard.type(answer)
            page.keyboard.press("Control+Enter")                    # the shortcut checks it too
            page.wait_for_function("() => document.querySelector('.attempts')"
                                   " && document.querySelector('.attempts').textContent.startsWith('2')")
            settled(page)
        assert "Strong answer" in page.locator("#feedback-title").inner_text()
        tab_until(page, "#model summary")                           # the model answer, after an attempt
        page.keyboard.press("Enter")
        assert page.locator("#model").evaluate("d => d.open")
        tab_until(page, "#next-line")
        page.keyboard.press("Enter")
        settled(page)
        if n < len(ANSWERS) - 1:
            page.wait_for_function(f"() => document.getElementById('line-title').textContent.includes('Line {n + 2}')")
            assert_focus(page, "#line-title")                       # the new line is where focus goes
            page.wait_for_function("t => document.getElementById('announce').textContent.includes(t)",
                                   arg=lines[n + 1].prescriber)
    page.wait_for_selector("#summary-title")
    assert_focus(page, "#summary-title")
    kept = page.input_value("#practice-text")
    assert "Could we start with a 10% cut?" in kept and "You need to" not in kept
    assert page.locator(".went-well li").count() >= 2
    page.screenshot(path=str(SHOTS / "practise-summary-desktop.png"), full_page=True)
    tab_until(page, "#add-to-brief")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/prepare" in page.url


def test_feedback_screenshot_and_phone_width_has_no_horizontal_scroll(open_tab):
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        tab = open_tab(viewport=viewport)
        page = tab.goto(f"/practise/{SCENARIO}")
        page.fill("#answer", "You need to give me a slower taper right now. The FDA warns against fast cuts.")
        page.click("#check-answer")
        page.wait_for_selector("#feedback-title")
        settled(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(SHOTS / f"practise-feedback-{name}.png"), full_page=True)
    page = open_tab().goto("/practise")
    page.screenshot(path=str(SHOTS / "practise-list-desktop.png"), full_page=True)


def test_the_flow_works_without_javascript(open_tab):
    tab = open_tab(java_script_enabled=False)
    page = tab.goto(f"/practise/{SCENARIO}")
    assert page.locator("button.read-aloud").is_hidden()           # no speech without JavaScript
    page.fill("#answer", ANSWERS[0])
    page.click("#check-answer")
    page.wait_for_selector("#feedback-title")
    assert page.input_value("#answer") == ANSWERS[0]
    page.click("#next-line")
    page.wait_for_selector("text=Line 2 of 3")
    page.fill("#answer", "   ")
    page.click("#check-answer")
    assert "Type your answer first" in page.locator("#answer-error").inner_text()
    # the page came back as a 400 on purpose (nothing to check); the browser logs that status
    tab.console_errors[:] = [e for e in tab.console_errors if "status of 400" not in e]


def test_read_aloud_is_offered_where_speech_exists_and_harmless(open_tab):
    tab = open_tab()
    page = tab.goto(f"/practise/{SCENARIO}")
    has_speech = page.evaluate("'speechSynthesis' in window")
    button = page.locator("button.read-aloud")
    assert button.is_visible() is has_speech
    if has_speech:
        button.click()                                              # speaks, or quietly does nothing
        assert page.locator("#answer").count() == 1
    # a browser without speech: the button stays hidden and nothing breaks
    bare = open_tab()
    bare.page.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
    page = bare.goto(f"/practise/{SCENARIO}")
    assert page.locator("button.read-aloud").is_hidden()
    page.fill("#answer", ANSWERS[0])
    page.click("#check-answer")
    page.wait_for_selector("#feedback-title")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("state", ["list", "start", "feedback", "summary"])
def test_no_serious_or_critical_axe_violations(open_tab, viewport, state):
    tab = open_tab(viewport=viewport, bypass_csp=True)
    page = tab.goto("/practise" if state == "list" else f"/practise/{SCENARIO}")
    if state in ("feedback", "summary"):
        page.fill("#answer", "You need to give me a slower taper right now.")
        page.click("#check-answer")
        page.wait_for_selector("#feedback-title")
        settled(page)
    if state == "summary":
        for answer in ANSWERS[1:]:
            page.click("#next-line")
            page.wait_for_selector("#line-title:focus")
            page.fill("#answer", answer)
            page.click("#check-answer")
            page.wait_for_selector("#feedback-title:focus")
        page.click("#next-line")
        page.wait_for_selector("#summary-title")
    serious = axe_serious(page)
    assert serious == [], "\n".join(serious)
