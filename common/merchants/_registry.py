"""Which merchants exist: one line each. A merchant whose secret is unset is off (404)."""

from __future__ import annotations

from collections.abc import Callable

from common.merchants._lemonsqueezy import LemonSqueezy
from common.merchants._paddle_billing import PaddleBilling
from common.merchants._paddle_classic import PaddleClassic
from common.merchants._port import Merchant
from common.merchants._shopify import Shopify
from common.merchants._stripe import Stripe
from common.merchants._woocommerce import WooCommerce
from common.settings import Settings

MERCHANTS: tuple[Callable[[Settings], Merchant | None], ...] = (
    PaddleBilling.from_settings,
    PaddleClassic.from_settings,
    LemonSqueezy.from_settings,
    Shopify.from_settings,
    WooCommerce.from_settings,
    Stripe.from_settings,
)


def build_merchants(settings: Settings) -> dict[str, Merchant]:
    """The merchants these settings turn on, by route name."""
    on = (build(settings) for build in MERCHANTS)
    return {merchant.name: merchant for merchant in on if merchant is not None}
