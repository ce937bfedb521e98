"""Imprints on the buyer pages: an order sold under one shows its name, colour and logo.

/d/<token>, /thanks and /verify of such an order carry the imprint's name, support
address and logo, and link its colour as a stylesheet of ours
(`GET /imprints/<slug>.css`), so the pages' CSP keeps `style-src 'self'` and no style
attribute is needed anywhere. The logo is a data: URL made once at start-up
(common/catalog with_logos), which needs `img-src 'self' data:` on these pages only
(common/web BUYER_CSP). /links and the pages of no order stay under SHOP_NAME.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort

from common.catalog import Imprint, text_color_on
from service.deps import ServiceDeps, current_deps

bp = Blueprint("imprints", __name__)
# The stylesheet's URL names a digest of its text, so a changed colour is a new URL and
# the old one may be cached for as long as a browser likes.
YEAR = 365 * 24 * 3600


def branding(deps: ServiceDeps, slug: str) -> dict[str, str]:
    """The template variables of a page under this imprint; {} (the shop's own) for none."""
    imprint = deps.catalog.imprint(slug)
    if imprint is None:
        return {}
    return {
        "shop_name": imprint.shop_name,
        "support_email": imprint.support,
        "imprint_css": stylesheet_url(imprint),
        "logo": imprint.logo_data_url,
        "kindle_from": imprint.sender[1],  # its mails, the Kindle's too, come from it
    }


def stylesheet_url(imprint: Imprint) -> str:
    """Where its colour is served, versioned by content; "" when it keeps the shop's."""
    if not imprint.accent_color:
        return ""
    digest = hashlib.sha256(stylesheet(imprint).encode()).hexdigest()[:12]
    return f"/imprints/{imprint.slug}.css?v={digest}"


def stylesheet(imprint: Imprint) -> str:
    """The colour as site.css's custom properties: the button's text reads on it."""
    accent = imprint.accent_color
    return f":root {{ --accent: {accent}; --on-accent: {text_color_on(accent)}; }}\n"


@bp.get("/imprints/<slug>.css")
def imprint_stylesheet(slug: str) -> Response:
    imprint = current_deps().catalog.imprint(slug)
    if imprint is None or not imprint.accent_color:
        abort(404, "no such imprint")
    response = Response(stylesheet(imprint), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    return response
