"""Find the data folders (lexicons, templates) in a checkout or an installed wheel."""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder `name` ("lexicons" or "templates"): wheel copy first, then the checkout's."""
    override = os.environ.get(f"REHEARSE_{name.upper()}_DIR")
    candidates = [Path(override)] if override else []
    candidates += [_PACKAGE / "_data" / name, _PACKAGE.parent / name]
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(
        f"rehearse: cannot find its {name}/ folder (looked in {', '.join(map(str, candidates))}); "
        "reinstall the package or run from a checkout"
    )
