"""/links: a buyer who lost their mail asks for fresh download links.

The route validates the address and publishes LinksRequested; the worker
mails the orders of that address to that address only (worker/resend.py), so
typing someone else's address mails them, not the typist. The answer is the
same whether or not the address has orders, so nobody can probe who bought
what. Limits: 3 requests an hour per address, 10 per client IP (429 with
Retry-After). Answers: form in, page out (200, or the form again with the
reason: 400, 429, 503); JSON in, JSON out (202, 400, 415, 429, 503).
No CSRF token: a forged form post can only do what anyone may do directly.

Addresses are checked by email-validator, through the message contract's
parse_email (one address, no display name, IDN domains as Unicode), so the
address we hash to find orders is spelled as fulfilment spelled it. A body
anyone can send (100,000-deep JSON, a lone surrogate) is a 400, never a 500.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Request, Response, jsonify, make_response, render_template, request

from common.i18n import from_accept_language
from common.logging import mask_email
from common.messages import BuyerDataError, ContractError, LinksRequested, parse_email
from common.publish import Publisher, PublishError
from service.deps import current_deps
from service.language import N_, Words, say, words
from service.request_context import client_address, limits

log = logging.getLogger(__name__)
bp = Blueprint("links_page", __name__)

_SENT = N_("If we have orders for this address, fresh links are on their way.")
SENT = str(_SENT)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BadAddress(ValueError):
    """The submitted text is not a usable email address; the message (Words) says why."""


class UnsupportedBody(ValueError):
    """The request body is neither a form nor JSON."""


def parse_address(text: str) -> str:
    """Return the address, normalised as orders index it, or raise BadAddress."""
    if not text.strip():
        raise BadAddress(N_("enter the email address you used at checkout"))
    try:
        return parse_email(text)
    except BuyerDataError as exc:
        # email-validator's reason is English only: a page in another language wraps it
        detail = str(exc).removeprefix("not a single email address: ").rstrip(".")
        detail = detail[:1].lower() + detail[1:]
        raise BadAddress(N_("not an address we can mail: %(detail)s", detail=detail)) from None


def request_links(publisher: Publisher, email: str, now: float) -> LinksRequested:
    """Publish a re-send request for email; raises PublishError."""
    occurred = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    try:
        message = LinksRequested(
            email=email,
            request_id=uuid.uuid4().hex,
            occurred_at=occurred.replace("+00:00", "Z"),
            language=from_accept_language(request.headers.get("Accept-Language")),
        )
    except ContractError as exc:
        raise BadAddress(Words(str(exc))) from None
    publisher.publish(message)
    return message


@bp.get("/links")
def links_form() -> str:
    return render_template("links.html", email="", error="")


@bp.post("/links")
def links_post() -> Response:
    as_json = request.is_json
    try:
        email = parse_address(submitted_email(request))
    except UnsupportedBody as exc:
        return _refused(True, 415, str(exc))
    except BadAddress as exc:
        return _refused(as_json, 400, exc.args[0], request.form.get("email", ""))
    wait = limits().links_per_client.hit(client_address(request))
    if not wait:
        wait = limits().links_per_address.hit(email.lower())
    if wait:
        log.warning("links request rate-limited", extra={"email": mask_email(email)})
        reason = _too_many(wait, "en" if as_json else "")
        response = _refused(as_json, 429, reason, email)
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        deps = current_deps()
        message = request_links(deps.publisher, email, deps.clock())
    except BadAddress as exc:
        return _refused(as_json, 400, exc.args[0], email)
    except PublishError as exc:
        log.error("links request not published", extra={"error": str(exc)})
        unavailable = N_("we could not take your request just now; please try again in a minute")
        return _refused(as_json, 503, unavailable, email)
    log.info(
        "links requested", extra={"email": mask_email(email), "request_id": message.request_id}
    )
    if as_json:
        return make_response(jsonify(status="accepted", message=SENT), 202)
    page = render_template("links_sent.html", email=email, message=say(_SENT))
    return make_response(page, 200)


def submitted_email(req: Request) -> str:
    """The `email` field of a form or a JSON object; raises UnsupportedBody or BadAddress."""
    if req.is_json:
        try:
            body = json.loads(req.get_data(cache=True))
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or 100,000 levels deep
            body = None
        if not isinstance(body, dict):
            raise BadAddress('send a JSON object like {"email": "ada@example.com"}')
        value = body.get("email", "")
        if not isinstance(value, str):
            raise BadAddress("email must be a string")
        return value
    if req.mimetype not in _FORM_TYPES:
        raise UnsupportedBody("expected a form or application/json")
    return req.form.get("email", "")


def _refused(as_json: bool, status: int, reason: Words | str, typed: str = "") -> Response:
    """The error as JSON (English), or the form again with the reason and what was typed."""
    if as_json:
        return make_response(jsonify(error=str(reason)), status)
    page = render_template("links.html", email=typed, error=say(reason))
    return make_response(page, status)


def _too_many(seconds: int, language: str) -> str:
    """The 429's reason in `language` ("": the page's), with the minutes to wait."""
    minutes = max(1, round(seconds / 60))
    reason = words(language).ngettext(
        "too many requests; please try again in a minute",
        "too many requests; please try again in %(num)d minutes",
        minutes,
    )
    return reason % {"num": minutes}
