"""`python -m demo.emulators` (`make run-emulators`): the stack on its cloud adapters, on emulators.

Starts gcp-storage-emulator and the Pub/Sub emulator, creates the buckets,
uploads the sample book and the catalog, creates the topic, the dead-letter
topic and the push subscription to the worker (as terraform/pubsub.tf), then
runs service and worker under gunicorn with STORAGE_BACKEND=gcs and
PUBLISH_BACKEND=pubsub until Ctrl-C, their JSON logs in the foreground. Mail
goes to the outbox (no SendGrid key), in var/emulators/outbox/.

The emulators have no IAM and Pub/Sub pushes without a token, so PUSH_AUTH is
off. To sign V4 URLs a throwaway service-account key is generated at start-up
in a temporary folder (deleted on exit) and handed to the apps as
GOOGLE_APPLICATION_CREDENTIALS; the client signs locally with it and the
storage emulator serves the URL without checking the signature.

`python -m demo.emulators purchase SERVICE_URL SECRET` posts one signed
Billing purchase of the sample book and prints the mail and its links.
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common.merchants._paddle_billing import sign_billing
from demo.emulators import PROJECT, EmulatorUnavailable, PubSubEmulator, StorageEmulator
from demo.emulators.topology import PushTopology, create_push_topology
from demo.purchase import purchase_body, wait_for_mail
from demo.sample_book import make_sample_book
from demo.sample_epub import make_sample_epub
from demo.stack import ROOT, Stack, free_port, port_is_free, running_stack, stop_on_signals
from tests.support.paddle_standin import PaddleStandIn
from worker.mail._outbox import download_links, read_mail

DATA_DIR = ROOT / "var" / "emulators"
PADDLE_KEY = "pdl_emulators_stand-in"
SOURCE, DELIVERY, TOPIC = "exlibris-originals", "exlibris-deliveries", "orders"


def run() -> int:
    stop_on_signals()
    storage_emulator = StorageEmulator(port=_port(9023)).start()
    pubsub_emulator = PubSubEmulator(DATA_DIR / "pubsub", port=_port(8085))
    try:
        pubsub_emulator.start()
        upload_sample(storage_emulator)
        paddle = PaddleStandIn(api_key=PADDLE_KEY, any_customer=True).start()
        with tempfile.TemporaryDirectory(prefix="exlibris-emulators-") as keys:
            env = emulator_env(storage_emulator, pubsub_emulator, throwaway_key(Path(keys)))
            env["PADDLE_API_URL"] = paddle.url
            env["PADDLE_API_KEY"] = PADDLE_KEY
            ports = {"service_port": _port(8080), "worker_port": _port(8081)}
            with running_stack(DATA_DIR, extra_env=env, quiet=False, **ports) as stack:
                push_endpoint = f"{stack.worker_url}/pubsub/push"
                topology = create_push_topology(
                    pubsub_emulator.publisher(),
                    pubsub_emulator.subscriber(),
                    PROJECT,
                    TOPIC,
                    push_endpoint,
                )
                _print_summary(stack, storage_emulator, pubsub_emulator, topology, env)
                while True:
                    time.sleep(1)
    except EmulatorUnavailable as exc:
        print(f"cannot start the Pub/Sub emulator: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        pubsub_emulator.stop()
        storage_emulator.stop()
    return 0


def purchase(service_url: str, secret: str) -> int:
    """Post one signed purchase of the sample book; print the mail and its links."""
    order_id = f"txn_emu{uuid.uuid4().hex[:20]}"
    body = purchase_body(order_id)
    headers = {
        "Content-Type": "application/json",
        "Paddle-Signature": sign_billing(body, secret, int(time.time())),
    }
    answer = requests.post(f"{service_url}/webhooks/paddle", data=body, headers=headers, timeout=30)
    print(f"webhook answered {answer.status_code}: {answer.text.strip()}")
    if answer.status_code != 200:
        return 1
    mail = wait_for_mail(DATA_DIR / "outbox", order_id)
    print(f"mail: {mail}")
    for link in download_links(read_mail(mail)):
        print(f"link: {link}")
    return 0


def upload_sample(emulator: StorageEmulator) -> None:
    """Both buckets, the sample book and the catalog (bench/burst.py sets up the same way)."""
    client = emulator.client()
    for name in (SOURCE, DELIVERY):
        client.create_bucket(name)
    originals = client.bucket(SOURCE)
    book = make_sample_book(pages=48)
    originals.blob("practical-python.pdf").upload_from_string(book, "application/pdf")
    epub = make_sample_epub()
    originals.blob("practical-python.epub").upload_from_string(epub, "application/epub+zip")
    catalog = (ROOT / "sample" / "catalog.toml").read_bytes()
    originals.blob("catalog.toml").upload_from_string(catalog, "application/toml")


def throwaway_key(folder: Path) -> Path:
    """A service-account key file for this run only: a fresh RSA key and a made-up account."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": uuid.uuid4().hex,
        "private_key": pem,
        "client_email": f"emulator-signer@{PROJECT}.iam.gserviceaccount.com",
        "client_id": "0",
        "token_uri": "http://127.0.0.1:9/token",  # never called: signing needs no token
    }
    path = folder / "signing-key.json"
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return path


def emulator_env(storage: StorageEmulator, pubsub: PubSubEmulator, key: Path) -> dict[str, str]:
    """The apps' environment on the emulators: cloud adapters, no push token, fresh secrets."""
    return {
        "STORAGE_BACKEND": "gcs",
        "PUBLISH_BACKEND": "pubsub",
        "PUSH_AUTH": "false",
        **storage.env(),
        **pubsub.env(),
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true",
        "GOOGLE_APPLICATION_CREDENTIALS": str(key),
        "SOURCE_BUCKET": SOURCE,
        "DELIVERY_BUCKET": DELIVERY,
        "CATALOG": f"gs://{SOURCE}/catalog.toml",
        "PUBSUB_TOPIC": TOPIC,
        "STAMP_SECRET": secrets.token_urlsafe(24),
        "PADDLE_WEBHOOK_SECRET": f"pdl_ntfset_emulators_{secrets.token_hex(12)}",
    }


def _print_summary(
    stack: Stack,
    storage: StorageEmulator,
    pubsub: PubSubEmulator,
    topology: PushTopology,
    env: dict[str, str],
) -> None:
    lines = [
        f"exlibris on the emulators (project {PROJECT})",
        f"  storage emulator  {storage.endpoint}",
        f"    gs://{SOURCE}: practical-python.pdf and .epub, catalog.toml   gs://{DELIVERY}: empty",
        f"  pubsub emulator   {pubsub.host}",
        f"    {topology.topic}",
        f"    {topology.subscription} -> {stack.worker_url}/pubsub/push",
        "      retry 1 s..10 s, dead letter after 5 attempts to",
        f"    {topology.dead_letter_topic} (pull {topology.dead_letter_subscription})",
        f"  service           {stack.service_url}",
        f"  worker            {stack.worker_url}   (PUSH_AUTH=false: the emulator sends no token)",
        f"  signing key       {env['GOOGLE_APPLICATION_CREDENTIALS']} (throwaway)",
        f"  outbox            {DATA_DIR / 'outbox'}",
        "Send a signed purchase (the mail's links download through the storage emulator):",
        f"  .venv/bin/python -m demo.emulators purchase {stack.service_url} "
        f"{env['PADDLE_WEBHOOK_SECRET']}",
        "Ctrl-C stops everything.",
    ]
    print("\n".join(lines), flush=True)


def _port(preferred: int) -> int:
    return preferred if port_is_free(preferred) else free_port()


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["purchase"] and len(args) == 3:
        sys.exit(purchase(args[1], args[2]))
    if args:
        sys.exit("usage: python -m demo.emulators [purchase SERVICE_URL SECRET]")
    sys.exit(run())
