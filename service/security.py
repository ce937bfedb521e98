"""Security headers on every service response, and CORS for the buyer pages.

The pages load nothing from elsewhere and run no script, so the policy can
forbid everything but our own stylesheets, images (and an imprint's logo inlined as a
data: URL) and form targets. Headers go
on JSON, redirects and errors too: it costs nothing and leaves no response
type unprotected.

CORS: the author's own site may call `POST /links` (JSON) and `GET /verify`
(JSON) from the browser. Only origins listed in CORS_ORIGINS get an
Access-Control-Allow-Origin echo; any other origin gets no CORS header, so the
browser withholds the answer. Flask answers the OPTIONS preflight itself (it
adds OPTIONS to every route); this hook adds the CORS headers to that answer.
No credentials are allowed: the pages use no cookies.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, request

from common.web import BUYER_CSP, add_security_headers

CORS_PATHS = frozenset({"/links", "/verify"})
PREFLIGHT_MAX_AGE = "600"


def install_security(app: Flask, cors_origins: Iterable[str]) -> None:
    """Register the after-request hook that adds the headers."""
    allowed = frozenset(origin.rstrip("/") for origin in cors_origins)

    @app.after_request
    def _secure(response: Response) -> Response:
        add_security_headers(response, https=request.is_secure, csp=BUYER_CSP)
        if request.path in CORS_PATHS:
            add_cors(response, request.headers.get("Origin"), allowed)
        return response


def add_cors(response: Response, origin: str | None, allowed: frozenset[str]) -> None:
    """Echo an allowed Origin (and answer a preflight); leave others without CORS headers."""
    response.vary.add("Origin")  # caches must not hand one origin's answer to another
    if not origin or origin not in allowed:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
