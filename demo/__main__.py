"""`python -m demo [--merchant STORE]`: one purchase through the embedded stack, end to end.

Generates the sample book into embedded storage (once), starts service and
worker under gunicorn, posts one correctly signed sale of it (Paddle Billing's
`transaction.completed`, or the store's own: stripe, lemonsqueezy, shopify,
woocommerce; demo/sales.py), waits for the mail in the outbox, prints the
mail's path, its links and (for the stores whose checkout returns a reference: Paddle,
Stripe, Lemon Squeezy) the thank-you page /thanks?ref=…, and stops. `python -m demo run`
starts the stack (service on PORT, 8080 by default, worker on the next port, the author's
dashboard on the one after, DASHBOARD_AUTH=local) and keeps it in the foreground until
Ctrl-C, SIGTERM or SIGHUP.
"""

from __future__ import annotations

import argparse
import sys

import requests

from common.settings import Settings
from demo.purchase import ensure_sample_book, wait_for_mail
from demo.sales import DEMO_SECRETS, SALES
from demo.stack import free_port_pair, port_is_free, running_stack, stop_on_signals, wait_for_stop
from worker.mail._outbox import download_links, read_mail

# The demo is the embedded stack whatever the shell holds: no real mail, no Paddle calls.
DEMO_ENV = {
    "STORAGE_BACKEND": "local",
    "PUBLISH_BACKEND": "local",
    "SENDGRID_API_KEY": "",
    "PADDLE_API_KEY": "",
    "CATALOG": "sample/catalog.toml",
    "STRIPE_API_KEY": "",  # the worker's offline line items know the demo's sessions
    **DEMO_SECRETS,
}


def demo(settings: Settings, merchant: str = "paddle") -> int:
    ensure_sample_book(settings)
    service, worker = settings.port, settings.port + 1
    # The contract's ports when free, so the mailed links keep working under `make run`.
    if not (port_is_free(service) and port_is_free(worker)):
        busy = f"{service} and {worker}"
        service = free_port_pair()
        worker = service + 1
        print(
            f"ports {busy} are busy (another stack?), so this demo serves on {service} and "
            f"{worker}: its mailed links point there, and `PORT={service} make run` serves them"
        )
    with running_stack(
        settings.local_data_dir.resolve(),
        service_port=service,
        worker_port=worker,
        extra_env=DEMO_ENV,
    ) as stack:
        secret = (
            settings.paddle_webhook_secrets[0]
            if merchant == "paddle"
            else DEMO_SECRETS[f"{merchant.upper()}_WEBHOOK_SECRET"]
        )
        sale = SALES[merchant](secret)
        order_id = sale.order_id
        response = requests.post(
            f"{stack.service_url}/webhooks/{merchant}",
            data=sale.body,
            headers={"Content-Type": "application/json", **sale.headers},
            timeout=10,
        )
        print(f"webhook answered {response.status_code}: {response.text.strip()}")
        if response.status_code != 200 or response.json().get("status") != "accepted":
            print("the purchase was not accepted; see the answer above", file=sys.stderr)
            return 1
        try:
            mail = wait_for_mail(settings.local_data_dir / "outbox", order_id)
        except TimeoutError as exc:
            dead = settings.local_data_dir / "dead-letter"
            print(f"{exc}; see {dead} for what could not be delivered", file=sys.stderr)
            return 1
        print(f"mail: {mail.resolve()}")
        for link in download_links(read_mail(mail)):
            print(f"link: {link}")
        if sale.ref:  # the page the checkout returns the buyer to: the same downloads, no mail
            print(f"thank-you page: {stack.service_url}/thanks?ref={sale.ref}")
    print("The stack has stopped; `make run` serves these links until Ctrl-C.")
    return 0


def run(settings: Settings) -> int:
    ensure_sample_book(settings)
    service, worker, dashboard = settings.port, settings.port + 1, settings.port + 2
    print(
        f"service on http://127.0.0.1:{service}, worker on http://127.0.0.1:{worker}, "
        f"the author's dashboard on http://127.0.0.1:{dashboard}; Ctrl-C stops"
    )
    with running_stack(
        settings.local_data_dir.resolve(),
        service_port=service,
        worker_port=worker,
        dashboard_port=dashboard,
        extra_env={"DASHBOARD_AUTH": "local"},
        quiet=False,
    ):
        wait_for_stop()
    return 0


def main(argv: list[str]) -> int:
    stop_on_signals()
    current = Settings.from_env()
    if argv == ["run"]:
        args = argparse.Namespace(merchant="paddle")
    else:
        choose = argparse.ArgumentParser(prog="make demo", description="one sale, end to end")
        choose.add_argument("--merchant", choices=sorted(SALES), default="paddle")
        args = choose.parse_args(argv)
    try:
        return run(current) if argv == ["run"] else demo(current, args.merchant)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 0 if argv == ["run"] else 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
