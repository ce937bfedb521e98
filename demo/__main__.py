"""`python -m demo`: one purchase through the embedded stack, end to end.

Generates the sample book into embedded storage (once), starts service and
worker under gunicorn, posts one correctly signed Paddle Billing
`transaction.completed` for it, waits for the mail in the outbox, prints the
mail's path and its links, and stops. `python -m demo run` starts the stack
on 127.0.0.1:8080 and :8081 and keeps it in the foreground until Ctrl-C.
"""

from __future__ import annotations

import json
import re
import sys
import time
import uuid
from pathlib import Path

import requests

from common.settings import Settings
from demo.sample_book import make_sample_book
from demo.stack import free_port, port_is_free, running_stack
from service.billing import sign_billing
from worker.mail.outbox import plain_text, read_mail

SAMPLE_SOURCE = "practical-python.pdf"
# The demo is the embedded stack whatever the shell holds: no real mail, no Paddle calls.
DEMO_ENV = {
    "STORAGE_BACKEND": "local",
    "PUBLISH_BACKEND": "local",
    "SENDGRID_API_KEY": "",
    "PADDLE_API_KEY": "",
    "CATALOG": "sample/catalog.toml",
}
SAMPLE_PRICE = "pri_01demopracticalpython00000"
SAMPLE_PRODUCT = "pro_01demopracticalpython00000"


def ensure_sample_book(settings: Settings) -> Path:
    path = settings.local_data_dir / "storage" / settings.source_bucket / SAMPLE_SOURCE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make_sample_book(pages=48))
    return path


def purchase_body(order_id: str) -> bytes:
    payload = {
        "event_id": f"evt_demo{uuid.uuid4().hex[:20]}",
        "event_type": "transaction.completed",
        "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
        "notification_id": f"ntf_demo{uuid.uuid4().hex[:20]}",
        "data": {
            "id": order_id,
            "status": "completed",
            "customer_id": "ctm_demo",
            "items": [{"price": {"id": SAMPLE_PRICE, "product_id": SAMPLE_PRODUCT}, "quantity": 1}],
        },
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def wait_for_mail(outbox: Path, order_id: str, timeout: float = 90.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(outbox.glob(f"*-{order_id}.eml"))
        if found:
            return found[0]
        time.sleep(0.2)
    raise TimeoutError(f"no mail for {order_id} in {outbox} after {timeout:.0f} s")


def links_in(mail_path: Path) -> list[str]:
    """The durable download links in an outbox mail."""
    return re.findall(r"https?://\S+/d/\S+", plain_text(read_mail(mail_path)))


def demo(settings: Settings) -> int:
    ensure_sample_book(settings)
    order_id = f"txn_demo{uuid.uuid4().hex[:20]}"
    # The contract's ports when free, so the mailed links keep working under `make run`.
    ports = (
        (8080, 8081) if port_is_free(8080) and port_is_free(8081) else (free_port(), free_port())
    )
    with running_stack(
        settings.local_data_dir.resolve(),
        service_port=ports[0],
        worker_port=ports[1],
        extra_env=DEMO_ENV,
    ) as stack:
        body = purchase_body(order_id)
        secret = settings.paddle_webhook_secrets[0]
        response = requests.post(
            f"{stack.service_url}/webhooks/paddle",
            data=body,
            headers={
                "Content-Type": "application/json",
                "Paddle-Signature": sign_billing(body, secret, int(time.time())),
            },
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
        for link in links_in(mail):
            print(f"link: {link}")
    print("The stack has stopped; `make run` serves these links until Ctrl-C.")
    return 0


def run(settings: Settings) -> int:
    ensure_sample_book(settings)
    print("service on http://127.0.0.1:8080, worker on http://127.0.0.1:8081; Ctrl-C stops")
    with running_stack(
        settings.local_data_dir.resolve(), service_port=8080, worker_port=8081, quiet=False
    ):
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    current = Settings.from_env()
    sys.exit(run(current) if sys.argv[1:] == ["run"] else demo(current))
