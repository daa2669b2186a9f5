"""axe-core (vendored, see vendor/README.md) finds no serious or critical violation on any page."""
from __future__ import annotations

import pytest
from browsing import DESKTOP, PHONE, axe_serious

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
    if page.locator("a.mark").count():
        page.locator("a.mark").first.click()
    serious = axe_serious(page)
    assert serious == [], "\n".join(serious)
