"""The page at ``GET /``: ``static/page.html`` with ``page.css`` and ``page.js`` inlined, so one
response holds everything it needs (nothing is fetched from elsewhere), and a Content-Security-
Policy that allows exactly that script and style, and requests to this service only."""

from __future__ import annotations

import base64
import hashlib
from importlib import resources

from fastapi.responses import HTMLResponse

STYLE_SLOT, SCRIPT_SLOT = "<!-- page.css -->", "<!-- page.js -->"


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class Page:
    """The page, assembled once from the package's ``static`` files."""

    def __init__(self) -> None:
        static = resources.files("shiftmsa.serve") / "static"
        css, script = ((static / name).read_text(encoding="utf-8") for name in ("page.css", "page.js"))
        self.html = ((static / "page.html").read_text(encoding="utf-8")
                     .replace(STYLE_SLOT, f"<style>{css}</style>").replace(SCRIPT_SLOT, f"<script>{script}</script>"))
        self.policy = (f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(css)}; "
                       f"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'")

    def response(self) -> HTMLResponse:
        return HTMLResponse(self.html, headers={"Content-Security-Policy": self.policy})
