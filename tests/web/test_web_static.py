"""Vendored files match their recorded hashes, and nothing refers to another host (no CDN)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "src" / "bankmind" / "web"
STATIC = WEB / "static"


def _recorded() -> dict[str, str]:
    table = (STATIC / "VENDORED.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", table, flags=re.MULTILINE))


def test_every_vendored_file_is_recorded() -> None:
    assert set(_recorded()) == {"htmx.min.js", "swagger/swagger-ui-bundle.js", "swagger/swagger-ui.css"}


@pytest.mark.parametrize("name", sorted(_recorded()))
def test_vendored_files_match_their_hashes(name: str) -> None:
    assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == _recorded()[name], (
        f"{name} changed; record its version and sha256 in web/static/VENDORED.md"
    )


def test_htmx_is_the_recorded_version() -> None:
    assert 'version:"2.0.11"' in (STATIC / "htmx.min.js").read_text(encoding="utf-8")


def test_no_page_refers_to_another_host() -> None:
    vendored = {STATIC / name for name in _recorded()}
    own = [p for p in WEB.rglob("*") if p.suffix in {".html", ".css", ".py", ".js"} and p not in vendored]
    assert STATIC / "bankmind.css" in own and STATIC / "swagger" / "init.js" in own
    for path in own:
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"')]*""", text):
            if url.startswith("http://www.w3.org/"):
                continue  # an XML namespace, not something the browser fetches
            pytest.fail(f"{path.relative_to(WEB)} refers to {url}; serve it from web/static instead")


def test_the_vendored_htmx_eval_path_is_switched_off(client) -> None:  # type: ignore[no-untyped-def]
    """htmx.min.js contains eval() for hx-vars/js: values; our pages disable it twice over:
    htmx's own config (allowEval, allowScriptTags) and a CSP without 'unsafe-eval' or inline script."""
    import json

    page = client.get("/login")
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page.text).group(1))
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
