"""Flask pieces both apps share: the health probe and JSON error answers.

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
