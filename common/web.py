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
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"  # sent over HTTPS only; a laptop's http://127.0.0.1 never sees it


def add_security_headers(response: Response, *, https: bool) -> None:
    """The headers above (HSTS over HTTPS only), unless the route set its own."""
    for name, value in HEADERS.items():
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
