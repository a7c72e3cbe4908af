"""Keys, client identity, browser origins and the page CSP."""

from __future__ import annotations

import base64
import hashlib

from starlette.datastructures import Headers

from assistant.web.security import (
    KeyRing,
    client_identity,
    is_json_media_type,
    key_fingerprint,
    page_csp,
    presented_key,
)


def test_a_key_ring_matches_only_its_keys() -> None:
    ring = KeyRing(["alpha-key", "beta-key"])
    assert ring and ring.matches("alpha-key") and ring.matches("beta-key")
    assert not ring.matches("alpha-key ") and not ring.matches("") and not ring.matches(None)
    assert not KeyRing([]) and not KeyRing([""])


def test_a_key_ring_keeps_no_key_in_memory_or_repr() -> None:
    ring = KeyRing(["alpha-key"])
    assert "alpha-key" not in repr(vars(ring))


def test_keys_are_read_from_bearer_or_x_api_key() -> None:
    assert presented_key(Headers({"authorization": "Bearer abc"})) == "abc"
    assert presented_key(Headers({"authorization": "bearer  abc "})) == "abc"
    assert presented_key(Headers({"x-api-key": "xyz"})) == "xyz"
    assert presented_key(Headers({"authorization": "Basic abc"})) is None
    assert presented_key(Headers({})) is None


def test_clients_are_identified_by_key_fingerprint_or_address() -> None:
    ring = KeyRing(["alpha-key"])
    with_key = {"type": "http", "headers": [(b"x-api-key", b"alpha-key")], "client": ("1.2.3.4", 5)}
    wrong_key = {"type": "http", "headers": [(b"x-api-key", b"nope")], "client": ("1.2.3.4", 5)}
    identity = client_identity(with_key, ring)
    assert identity == key_fingerprint("alpha-key") and "alpha" not in identity
    assert client_identity(wrong_key, ring) == "ip:1.2.3.4"


def test_json_media_types() -> None:
    assert is_json_media_type("application/json")
    assert is_json_media_type("Application/JSON; charset=utf-8")
    assert is_json_media_type("application/merge-patch+json")
    assert not is_json_media_type("text/plain")
    assert not is_json_media_type("application/x-www-form-urlencoded")


def test_page_csp_allows_exactly_the_inline_blocks_by_hash() -> None:
    script, style = "console.log(1);", "body { color: red; }"
    html = f"<style>{style}</style><script>{script}</script><script src='/widget.js'></script>"
    csp = page_csp(html)

    def sha(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"script-src 'self' 'sha256-{sha(script)}';" in csp
    assert f"style-src 'self' 'sha256-{sha(style)}';" in csp
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page_csp("<p>no scripts</p>").startswith("default-src 'none'; script-src 'self';")
