"""How the browser tests run Chromium: the binary, its flags, the window sizes, the vendored axe-core."""
from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")   # Debian's package (`make browser` installs it as root)
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def axe_serious(page, context: str = "document") -> list[str]:
    """Open every <details>, run the vendored axe-core on `context` and list its serious or critical
    violations (empty when there are none). The page must allow the injected script (bypass_csp)."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.add_script_tag(path=str(AXE_JS))
    target = "document" if context == "document" else repr(context)
    result = page.evaluate(f"async () => await axe.run({target}, {{resultTypes: ['violations']}})")
    return [f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def shots_dir(tmp_path_factory=None):
    """Where browser tests save screenshots: docs/screenshots/ when REHEARSE_SCREENSHOTS=1 (to refresh
    the README's pictures), else a temporary folder, so `make test` never changes tracked files."""
    import os
    import tempfile
    if os.environ.get("REHEARSE_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    return Path(tempfile.mkdtemp(prefix="rehearse-shots-"))
