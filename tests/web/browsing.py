"""How the browser tests run Chromium: the binary, its flags, the window sizes, the vendored axe-core."""
from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")   # Debian's package (`make browser` installs it as root)
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
