"""Save the README's screenshots (docs/screenshots/) of every page at laptop and phone width.

Run from the repository root: .venv/bin/python tests/web/screenshots.py
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browsing import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: E402

MAX_HEIGHT = {"desktop": 1700, "phone": 2200}   # keep the files small: the top of long pages


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def _draft(page):
    page.goto(page.base + "/draft?example=1")
    page.locator("#marked a.mark--concern").first.click()
    page.mouse.move(0, 0)


def _visit(path: str):
    """A shot of the whole page at `path` (shows return None: the top of the page is taken)."""
    def show(page):
        page.goto(page.base + path)
    return show


def _checked(page, path: str, text: str, wait: str):
    """Type `text` into a check page, wait until `wait` is shown and the results have settled."""
    page.goto(page.base + path)
    page.fill("#text", text)
    page.wait_for_selector(wait)
    page.wait_for_function("() => !document.querySelector('.htmx-request, #results.is-stale')")
    return page.locator(wait)


def _draft_typing(page):
    _checked(page, "/draft", "Hello Dr. Lee,\n\nYou need to give me a slower taper this time. Thank you for your time.",
             "#marked a.mark--concern")


def _reply(page):
    page.goto(page.base + "/reply?example=1")
    page.locator("#marked a.mark--concern").first.click()
    page.mouse.move(0, 0)


PLAN_REPLY = "Let's cut you from 2 mg to 1 mg this week and you can stop next week."
RAMBLING_DRAFT = ("Hi Dr. Lee, so I've been on Klonopin for ages, it was for panic after my dad died. "
                  "I tried stopping once and it was awful. Now I just feel foggy all the time and my memory "
                  "is terrible. I want to come off it but slowly this time. You need to give me a slower taper.")


# these return a locator: the shot is of that section only
def _reply_plan(page):
    return _checked(page, "/reply", PLAN_REPLY, "#plan")


def _reply_profile(page):
    _checked(page, "/reply", PLAN_REPLY, "#profile")
    return page.locator("#profile")


def _draft_story(page):
    return _checked(page, "/draft", RAMBLING_DRAFT, "#story")


SHOTS = {
    "home": _visit("/"),
    "reply-plan": _reply_plan,
    "reply-profile": _reply_profile,
    "draft-story": _draft_story,
    "practise": _visit("/practise"),
    "resources": _visit("/resources"),
    "questions": _visit("/questions"),
    "draft": _draft,
    "draft-typing": _draft_typing,
    "reply": _reply,
    "about": _visit("/about"),
}


def main() -> int:
    from playwright.sync_api import sync_playwright

    from rehearse.web import create_app

    server = make_server("127.0.0.1", 0, create_app(), threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                page.base = f"http://127.0.0.1:{server.server_port}"
                for name, show in SHOTS.items():
                    part = show(page)
                    page.wait_for_load_state("networkidle")
                    if part is not None:   # one section
                        path = OUT / f"{name}-{label}.png"
                        part.screenshot(path=str(path))
                        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
                        continue
                    page.evaluate("() => window.scrollTo(0, 0)")
                    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT[label])
                    path = OUT / f"{name}-{label}.png"
                    page.screenshot(path=str(path), full_page=True,
                                    clip={"x": 0, "y": 0, "width": viewport["width"], "height": height})
                    print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
