"""The private worker: Pub/Sub pushes a message, the worker fulfils it.

`create_app(settings, **overrides)` is the factory gunicorn calls
(`worker.app:create_app()`). Answers: 204 done (also for duplicates), 204 and
a dead letter for what no retry can fix, 401/403 for a push that is not ours,
503 when a retry may help. The Pub/Sub emulator counts 202 as a failure,
hence 204.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from common.logging import configure_logging
from common.messages import ContractError, parse_envelope
from common.settings import Settings
from common.web import health, json_error, register_error_handlers
from worker.bootstrap import PushCheck, build_push_verifier, build_worker_deps
from worker.deps import WorkerDeps
from worker.dispatch import handle
from worker.errors import PermanentError, TransientError
from worker.push_auth import PushAuthError, PushAuthUnavailable

log = logging.getLogger(__name__)
bp = Blueprint("push", __name__)
MAX_PUSH_BODY = 14 * 1024 * 1024


@bp.post("/pubsub/push")
def pubsub_push() -> Response | tuple[Response, int]:
    deps: WorkerDeps = current_app.extensions["exlibris"]
    verify_push: PushCheck | None = current_app.extensions["exlibris_push_check"]
    if verify_push is not None:
        try:
            verify_push(_push_token_header())
        except PushAuthError as exc:
            log.warning("push refused", extra={"reason": str(exc), "status": exc.status})
            return json_error(exc.status, str(exc))
        except PushAuthUnavailable as exc:
            log.warning("push not checked; will retry", extra={"reason": str(exc)})
            return json_error(503, "cannot check the push token just now")
    body = _json_body()
    try:
        envelope = parse_envelope(body)
    except ContractError as exc:
        deps.dead_letters.record(
            "malformed-push", "envelope", str(exc), {"body": request.get_data(as_text=True)[:4096]}
        )
        log.error("malformed push acknowledged", extra={"reason": str(exc)})
        return Response(status=204)
    message = envelope.message
    ids = {"order_id": getattr(message, "order_id", None), "message_id": envelope.message_id}
    try:
        outcome = handle(message, deps)
    except PermanentError as exc:
        where = deps.dead_letters.record(message.TYPE, message.idempotency_key, str(exc), body)
        log.error("message dead-lettered", extra={**ids, "reason": str(exc), "letter": where})
        return Response(status=204)
    except TransientError as exc:
        log.warning("will retry", extra={**ids, "reason": str(exc)})
        return json_error(503, str(exc))
    log.info("message handled", extra={**ids, "outcome": outcome, "type": message.TYPE})
    return Response(status=204)


def _push_token_header() -> str | None:
    """The header holding the token Cloud Run checked: X-Serverless-Authorization when sent.

    With both headers Cloud Run checks only X-Serverless-Authorization and passes
    Authorization on unchecked (cloud.google.com/run/docs/authenticating/service-to-service),
    so trusting Authorization then would let any invoker pose as the push account.
    """
    return request.headers.get("X-Serverless-Authorization") or request.headers.get("Authorization")


def _json_body() -> Any:
    """The push body as JSON, or None when it is not (bad bytes, 100,000 levels deep)."""
    try:
        return json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        return None


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = (settings or Settings.from_env()).check_worker()
    configure_logging(settings.log_level)
    app = Flask(__name__)
    # A Pub/Sub message is at most 10 MB (cloud.google.com/pubsub/quotas), about 13.4 MB once
    # base64 sits in a push envelope; anything larger is not a push, and gets 413 unread.
    app.config["MAX_CONTENT_LENGTH"] = MAX_PUSH_BODY
    app.extensions["exlibris_push_check"] = (
        overrides.pop("verify_push")
        if "verify_push" in overrides  # None is a valid override: no check
        else build_push_verifier(settings)
    )
    app.extensions["exlibris"] = build_worker_deps(settings, **overrides)
    app.register_blueprint(health)
    app.register_blueprint(bp)
    register_error_handlers(app)
    return app
