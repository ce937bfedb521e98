"""/verify: anyone checks the stamp code printed in a copy's footer.

An authentic code (its MAC checks out, common/codes.py) leads through
`codes/<serial>` to the order record; the answer shows the order id, the
buyer's name and email masked, the date issued, and whether the copy is still
valid or was revoked by a refund; for an order whose buyer had their data
erased (`exlibris forget`), that it was erased on request, and no buyer.
Answers: 200 authentic; 200 not authentic
(a forged or altered code is a fair question whose answer is "no"); 400 not a
code at all (truncated, too long, other letters) or no code given; 404 authentic but no record
(treated as unknown); 429 past 60 checks an hour per client IP; 503 when
storage does not answer. JSON for `Accept: application/json`, HTML otherwise.
Reads the delivery bucket only.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import Blueprint, Response, jsonify, make_response, render_template, request

from common.catalog import Catalog
from common.codes import ForgedCode, InvalidCode, check_code, normalise_code
from common.i18n import human_date
from common.logging import mask_email
from common.orders import OrderStore, Status, code_name
from common.storage import NotFound, TransientStorageError
from service.deps import current_deps
from service.imprints import branding
from service.language import N_, Words, page_language, say, speak_for_order
from service.request_context import client_address, limits, wants_json

log = logging.getLogger(__name__)
bp = Blueprint("verify_page", __name__)


NO_SUCH_COPY = N_("no copy was issued with this code")
# common/codes' reasons for a code that does not check out, marked for the catalog.
NOT_A_CODE = (
    N_("a stamp code has twelve letters and digits, like 7K3M-Q9TX-2B4F"),
    N_("this code was not issued by this shop"),
)


class UnknownCode(LookupError):
    """The code is authentic but no order record stands behind it."""


@dataclass(frozen=True)
class StampCheck:
    """What /verify may tell anyone about a copy: the order, but the buyer only masked."""

    code: str
    order_id: str
    title: str
    buyer_name: str
    buyer_email: str
    issued_at: str
    valid: bool
    revoked_at: str
    erased: bool = False  # the buyer's data was erased on their request: nothing to mask
    imprint: str = ""  # the catalog imprint that issued it ("": the shop itself)
    language: str = ""  # the store's locale for the buyer: the page speaks it (not in JSON)


def check_stamp(orders: OrderStore, catalog: Catalog, secret: str, text: str) -> StampCheck:
    """Check a typed code; raise InvalidCode (not authentic) or UnknownCode (no record)."""
    serial = check_code(secret, text)
    try:
        order_id = orders.read(code_name(serial)).data.decode()
    except NotFound:
        raise UnknownCode(NO_SUCH_COPY) from None
    record, _ = orders.load(order_id)
    if record is None or normalise_code(record.code) != normalise_code(text):
        raise UnknownCode(NO_SUCH_COPY)
    code = normalise_code(text)
    imprint = catalog.sold_under(record.imprint, record.products)
    issuer = imprint.slug if imprint else ""
    if record.erased_at:
        return StampCheck(
            code=f"{code[:4]}-{code[4:8]}-{code[8:]}",
            order_id=record.order_id,
            title=record.title,
            buyer_name="",
            buyer_email="",
            issued_at=record.created_at,
            valid=False,
            revoked_at=record.revoked_at,
            erased=True,
            imprint=issuer,
            language=record.language,
        )
    return StampCheck(
        code=f"{code[:4]}-{code[4:8]}-{code[8:]}",
        order_id=record.order_id,
        title=record.title,
        buyer_name=mask_name(record.buyer_name),
        buyer_email=mask_address(record.buyer_email),
        issued_at=record.created_at,
        valid=record.status != Status.REVOKED,
        revoked_at=record.revoked_at if record.status == Status.REVOKED else "",
        imprint=issuer,
        language=record.language,
    )


def mask_name(name: str) -> str:
    """'Ada Lovelace' → 'A*** L***': initials only, and no hint of each word's length.

    A word's initial is its first letter or digit, so '(Work)' is 'W***', and a word of
    punctuation alone ('-', '&') says nothing about the buyer and is left out.
    """
    initials = (next((ch for ch in word if ch.isalnum()), "") for word in name.split())
    return " ".join(f"{initial}***" for initial in initials if initial)


def mask_address(email: str) -> str:
    """a***@e***.com, or *** when the address has a shape mask_email does not recognise."""
    masked = mask_email(email)
    return masked if masked != email else "***"


@bp.get("/verify")
def verify() -> Response:
    as_json = wants_json(request)
    code = request.args.get("code")
    if code is None and not as_json:
        return make_response(render_template("verify.html", code="", error=""))
    if not (code or "").strip():
        return _answer(as_json, 400, error=N_("enter the stamp code printed in the footer"))
    if wait := limits().verify_per_client.hit(client_address(request)):
        busy = N_("too many checks; try again later")
        response = _answer(as_json, 429, code=code, error=busy)
        response.headers["Retry-After"] = str(wait)
        return response
    deps = current_deps()
    settings = deps.settings
    try:
        result = check_stamp(deps.orders, deps.catalog, settings.stamp_secret, code or "")
    except ForgedCode as exc:
        return _answer(as_json, 200, code=code, error=str(exc), forged=True)
    except InvalidCode as exc:
        return _answer(as_json, 400, code=code, error=str(exc), forged=True)
    except UnknownCode:
        return _answer(as_json, 404, code=code, error=NO_SUCH_COPY)
    except TransientStorageError:
        log.warning("stamp check failed: storage did not answer")
        return _answer(as_json, 503, code=code, error=N_("please try again in a minute"))
    log.info("stamp checked", extra={"order_id": result.order_id, "valid": result.valid})
    if as_json:
        facts = {k: v for k, v in asdict(result).items() if k != "language"}
        return make_response(jsonify(authentic=True, **facts), 200)
    speak_for_order(result.language)
    page = render_template(
        "verify.html",
        code=result.code,
        result=result,
        issued_on=_day(result.issued_at),
        revoked_on=_day(result.revoked_at),
        **branding(deps, result.imprint),
    )
    return make_response(page)


def _day(stamp: str) -> str:
    """An RFC 3339 time of the record as the page's reader writes the day; "" if none."""
    try:
        return human_date(datetime.fromisoformat(stamp).timestamp(), page_language())
    except ValueError:
        return stamp[:10]


def _answer(
    as_json: bool,
    status: int,
    *,
    error: Words | str,
    code: str | None = "",
    forged: bool = False,
) -> Response:
    if as_json:
        english = str(error)
        body = {"error": english, "authentic": False} if forged else {"error": english}
        return make_response(jsonify(body), status)
    page = render_template("verify.html", code=code or "", error=say(error), forged=forged)
    return make_response(page, status)
