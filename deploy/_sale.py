"""The last step: one signed sale of the test product, posted to the live service.

The sale is demo/sales.py's, in the store's own shape, signed with the secret
the live service reads (from Secret Manager), and its buyer is the author, so
the mail that arrives proves the whole path: signature, Pub/Sub, stamping,
storage and mail. It is sent only when this run changed something (or
TEST_SALE=1): a second run of an unchanged deploy sends nothing.

Stores whose sale names its buyer go first. Paddle Billing's names a customer,
which the worker looks up at Paddle: the author is found by email, or created
(PADDLE_API_KEY with customer write). Stripe's names a Checkout Session the worker
lists at Stripe, which a made-up sale cannot have: a Stripe-only shop is told to
make a test-mode purchase instead.
"""

from __future__ import annotations

from typing import Any

import requests

from console.merchant_api import MerchantApiError
from console.paddle_api import PaddleApi
from demo.sales import SALES, Sale
from deploy._inputs import TRUE, Inputs
from deploy._run import DeployError, Runner
from deploy._steps import PLACEHOLDER, latest

ORDER = ("lemonsqueezy", "shopify", "woocommerce", "paddle")
TIMEOUT = 60.0  # a cold start of the service takes a few seconds


def test_sale(inputs: Inputs, run: Runner, outs: dict[str, Any]) -> None:
    if not run.changes and inputs.env.get("TEST_SALE", "").lower() not in TRUE and not run.dry_run:
        run.say("  nothing changed, so no test sale (TEST_SALE=1 sends one)")
        return
    store = next((s for s in ORDER if s in inputs.merchants), None)
    if store is None or (store == "paddle" and not inputs.billing):
        run.say("  no signed test sale for this store: make a test-mode purchase")
        run.say("  (docs/merchants/stripe.md, or docs/deploy.md for Paddle Classic)")
        return
    if not inputs.author_email:
        run.say("  no test sale: set alert_email in terraform.tfvars or AUTHOR_EMAIL, to get it")
        return
    url = (outs.get("webhook_urls") or {}).get(store) or f"{outs['service_url']}/webhooks/{store}"
    if run.dry_run:
        run.say(f"  would post a signed {store} sale of the test product to {url}")
        run.say(f"  (its mail goes to {inputs.author_email})")
        return
    secret = latest(inputs, run, f"{inputs.name}-{store}-webhook-secret")
    if not secret or secret.startswith(PLACEHOLDER):
        run.say(f"  no test sale: {store}'s webhook secret is still the placeholder")
        return
    sale = _sale(inputs, store, secret.split(",")[0])
    try:
        answer = requests.post(url, data=sale.body, headers=_headers(store, sale), timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise DeployError(f"the test sale did not reach {url}: {exc}") from None
    if answer.status_code != 200:
        raise DeployError(
            f"the service answered the test sale {answer.status_code}: {answer.text[:300]}"
        )
    run.say(f"  ✓ {url} took test order {sale.order_id}: its mail goes to {inputs.author_email}")
    run.say(f"    within a minute (`exlibris order {sale.order_id}` shows where it is)")


def _sale(inputs: Inputs, store: str, secret: str) -> Sale:
    if store != "paddle":
        return SALES[store](secret, email=inputs.author_email)
    api = PaddleApi(inputs.env.get("PADDLE_API_KEY", ""), inputs.paddle_api_url)
    try:
        found = next(api.list("/customers", {"email": inputs.author_email}), None)
        customer = found or api.create("/customers", {"email": inputs.author_email})
    except MerchantApiError as exc:
        raise DeployError(f"the test sale needs the author as a Paddle customer: {exc}") from None
    return SALES["paddle"](secret, customer_id=str(customer.get("id")))


def _headers(store: str, sale: Sale) -> dict[str, str]:
    content = "application/json"
    return {"Content-Type": content, "User-Agent": f"exlibris-deploy ({store})", **sale.headers}
