"""axe-core (vendored, see vendor/README.md) finds no serious or critical violation on any page."""
from __future__ import annotations

import pytest
from browsing import AXE_JS, DESKTOP, PHONE

pytestmark = pytest.mark.browser

PAGES = ["/", "/about", "/draft", "/draft?example=1", "/reply", "/reply?example=1", "/nowhere"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_violations(open_tab, path, viewport):
    # The axe script is injected by the test, which the page's own CSP would rightly refuse.
    tab = open_tab(viewport=viewport, bypass_csp=True)
    page = tab.goto(path)
    if path == "/nowhere":
        tab.console_errors[:] = [e for e in tab.console_errors if "404" not in e]
    # open every explanation and mark one flag selected, so hidden content is checked too
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    if page.locator("a.mark").count():
        page.locator("a.mark").first.click()
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)
