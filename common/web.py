"""Flask pieces the apps share: the health probe, JSON error answers, security headers.

Every failure is `{"error": reason}` with the right status. HTTP errors keep
their status; anything unexpected is logged with its stack trace and answered
500 without one, so a caller never sees our internals.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

health = Blueprint("health", __name__)

# The buyer pages and the dashboard load nothing from elsewhere and run no script, so the
# policy forbids everything but our own stylesheet, images and form targets.
CSP = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
# The buyer pages show an imprint's logo as a data: URL (service/imprints.py), as issue 23
# asks: the image comes with the page, so nothing is fetched from elsewhere, and an image
# runs no script (even an SVG in an <img> is processed in a secure mode without script:
# https://w3c.github.io/svgwg/svg2-draft/conform.html, 2.3). An injected data: image
# could show a picture, no more; style-src stays 'self', so the colour is a stylesheet.
BUYER_CSP = CSP.replace("img-src 'self'", "img-src 'self' data:")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"  # sent over HTTPS only; a laptop's http://127.0.0.1 never sees it


def add_security_headers(response: Response, *, https: bool, csp: str = CSP) -> None:
    """The headers above (HSTS over HTTPS only), unless the route set its own."""
    for name, value in (HEADERS | {"Content-Security-Policy": csp}).items():
        response.headers.setdefault(name, value)
    if https:
        response.headers.setdefault("Strict-Transport-Security", HSTS)


@health.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200


def json_error(status: int, reason: str) -> tuple[Response, int]:
    return jsonify(error=reason), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response, int]:
        return json_error(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error")
        return json_error(500, "internal error")
