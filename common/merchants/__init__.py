"""Storefronts: each merchant verifies its webhook and turns it into the contract's messages.

Pure apart from the merchants' own HTTP APIs: no Flask, no Google client. A route hands a
merchant the raw request (headers and bytes) and gets a message or a named error back.
"""

from common.merchants._events import Event, EventError, Ignored, SignatureError
from common.merchants._http import MerchantAnswerError, MerchantHttp, MerchantUnavailable, Patience
from common.merchants._lemonsqueezy import (
    LemonSqueezy,
    parse_lemonsqueezy_event,
    sign_lemonsqueezy,
    verify_lemonsqueezy,
)
from common.merchants._paddle_billing import (
    PaddleBilling,
    parse_billing_event,
    sign_billing,
    verify_billing,
)
from common.merchants._paddle_classic import (
    PaddleClassic,
    is_fulfilment,
    load_public_key,
    parse_classic_event,
    verify_classic,
)
from common.merchants._paddle_http import PaddleHttp, PaddleUnavailable, paddle_error
from common.merchants._port import Merchant, WebhookRequest
from common.merchants._registry import MERCHANTS, build_merchants
from common.merchants._shopify import Shopify, parse_shopify_event, sign_shopify, verify_shopify
from common.merchants._stripe import Stripe, parse_stripe_event, sign_stripe, verify_stripe
from common.merchants._stripe_http import StripeHttp, StripeUnavailable, list_stripe_objects
from common.merchants._woocommerce import (
    WooCommerce,
    parse_woocommerce_event,
    sign_woocommerce,
    verify_woocommerce,
)

__all__ = [
    "MERCHANTS",
    "Event",
    "EventError",
    "Ignored",
    "LemonSqueezy",
    "Merchant",
    "MerchantAnswerError",
    "MerchantHttp",
    "MerchantUnavailable",
    "PaddleBilling",
    "PaddleClassic",
    "PaddleHttp",
    "PaddleUnavailable",
    "Patience",
    "Shopify",
    "SignatureError",
    "Stripe",
    "StripeHttp",
    "StripeUnavailable",
    "WebhookRequest",
    "WooCommerce",
    "build_merchants",
    "is_fulfilment",
    "list_stripe_objects",
    "load_public_key",
    "paddle_error",
    "parse_billing_event",
    "parse_classic_event",
    "parse_lemonsqueezy_event",
    "parse_shopify_event",
    "parse_stripe_event",
    "parse_woocommerce_event",
    "sign_billing",
    "sign_lemonsqueezy",
    "sign_shopify",
    "sign_stripe",
    "sign_woocommerce",
    "verify_billing",
    "verify_classic",
    "verify_lemonsqueezy",
    "verify_shopify",
    "verify_stripe",
    "verify_woocommerce",
]
