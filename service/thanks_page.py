"""/thanks?ref=…: the page a checkout returns the buyer to, showing the downloads once stamped.

A mistyped address or a mail in spam must not lose the book, so the checkout's own
success page can hand it out. Stripe puts its Checkout Session id into the success URL
(`{CHECKOUT_SESSION_ID}`); a shop page selling through Paddle or Lemon Squeezy puts its own
`exlibris_ref` (16+ random characters) both into the checkout's custom data and into the
success URL. The worker indexes the reference when it records the order
(index/checkouts/<ref>, common/orders/_index.py); this page reads the index and the record.

- REF missing, shorter than 16 characters or not letters, digits, '_' and '-': 400.
- Unknown, or known and not stamped yet: 200 "your copy is being prepared", refreshing
  itself (a meta refresh: the CSP allows no script). Both are the same bytes, so the page
  tells a stranger nothing about which references exist.
- Stamped: the download page of /d/<token> (service/downloads.py), whose forms post to each
  file's durable link: opening this page counts nothing, the button counts one.
- THANKS_TTL after the order was recorded: a page pointing to /links and the mailed links,
  so a reference left in a browser's history stops being a key to the book.
- Refunded, or a link that is gone: 410, as the link itself answers (downloads.FAILURES).

Limit: 30 requests a minute per client (429 with Retry-After); the preparing page refreshes
every 5 s, 12 a minute. Every answer is `Cache-Control: no-store`: the reference is a key.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Blueprint, Response, render_template, request

from common.codes import LinkClaim
from common.messages import CHECKOUT_REF_MIN, clean_checkout_ref
from common.orders import OrderRecord, Status
from service.deps import ServiceDeps, current_deps
from service.download_access import LinkGone, view_link
from service.downloads import FAILURES, REFRESH_SECONDS, failure_answer, render_page
from service.language import N_, Words, say, speak_for_order, words
from service.request_context import client_address, limits

log = logging.getLogger(__name__)
bp = Blueprint("thanks_page", __name__)
READY = N_("Thank you! Your copy is ready; we have mailed you these links too.")


@bp.get("/thanks")
def thanks() -> Response:
    if wait := limits().thanks_per_client.hit(client_address(request)):
        reason = N_("too many requests from your network just now")
        response = _state("busy", 429, reason=reason)
        response.headers["Retry-After"] = str(wait)
        return response
    ref = request.args.get("ref", "")
    if problem := ref_problem(ref):
        return _state("invalid", 400, reason=problem)
    deps = current_deps()
    record = _order_of(deps, ref)
    if record is not None:
        speak_for_order(record.language)
    if record is not None and _expired(record, deps):
        return _state("expired", 200)
    if record is None or not (record.deliverable or record.status == Status.REVOKED):
        return _state("preparing", 200, ref=ref)
    if record.status == Status.REVOKED:
        raise LinkGone(N_("this order was refunded, so its downloads no longer work"))
    live = record.live_files or (0,)  # none live: the view says the file was refunded
    claim = LinkClaim(record.order_id, live[0], _created(record) + deps.settings.link_ttl)
    log.info("thanks page shows downloads", extra={"order_id": record.order_id})
    return _no_store(render_page(view_link(deps, claim), notice=READY))


def ref_problem(ref: str) -> Words | None:
    """Why `ref` cannot be a checkout reference, in words; None when it can."""
    if not ref:
        return N_("the address has no ref=… (the reference of your checkout)")
    if len(ref) < CHECKOUT_REF_MIN:
        return N_("the reference is shorter than %(least)s characters", least=CHECKOUT_REF_MIN)
    if clean_checkout_ref(ref) != ref:
        return N_("the reference may hold only letters, digits, '_' and '-' (128 at most)")
    return None


def _order_of(deps: ServiceDeps, ref: str) -> OrderRecord | None:
    order_id = deps.orders.checkout_order(ref)
    return None if order_id is None else deps.orders.load(order_id)[0]


def _created(record: OrderRecord) -> int:
    """When the order was recorded, in unix seconds (records write RFC 3339 UTC)."""
    return int(datetime.fromisoformat(record.created_at).timestamp())


def _expired(record: OrderRecord, deps: ServiceDeps) -> bool:
    return _created(record) + deps.settings.thanks_ttl < deps.clock()


def _state(state: str, status: int, *, ref: str = "", reason: Words | None = None) -> Response:
    ttl = current_deps().settings.thanks_ttl
    page = render_template(
        "thanks.html",
        state=state,
        ref=ref,
        reason=say(reason) if reason else "",
        refresh=REFRESH_SECONDS,
        ttl=_duration(ttl),
    )
    return _no_store(Response(page, status=status))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _duration(seconds: int) -> str:
    hours = round(seconds / 3600)
    if hours >= 48 and hours % 24 == 0:
        days = hours // 24
        return words().ngettext("%(num)d day", "%(num)d days", days) % {"num": days}
    if hours <= 1:
        return words().gettext("an hour")
    return words().ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours}


def _failure(exc: Exception) -> Response:
    return _no_store(failure_answer(exc))


for _kind in FAILURES:
    bp.register_error_handler(_kind, _failure)
