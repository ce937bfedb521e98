"""Both apps served for real by gunicorn on loopback ports, with test keys and secrets.

The worker is private, as on Cloud Run: it sits behind the front-end stand-in
(tests/support/cloud_run_frontend.py) with PUSH_AUTH=cloud-run, and the
service's embedded publisher pushes to the front end, whose test mode signs
each push as Pub/Sub would for the push account.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from demo.stack import Stack, free_port, running_stack
from tests.conftest import SAMPLE_CATALOG, STAMP_SECRET, WEBHOOK_SECRET
from tests.support.cloud_run_frontend import CloudRunFrontEnd, cloud_run_frontend
from tests.support.google_identity import PUSH_ACCOUNT, GoogleIssuer
from tests.support.imprints import LOGO, imprint_catalog, logo_png
from tests.support.paddle_payloads import public_pem, rsa_test_key

# An account that may invoke the worker (Cloud Run lets it in) but is not Pub/Sub's.
DEPLOYER = "deployer@exlibris-test.iam.gserviceaccount.com"
CLASSIC_KEY = rsa_test_key()  # Paddle Classic's signing key (RSA: made once per session)


@dataclass
class LiveStack:
    stack: Stack
    data_dir: Path
    classic_key: RSAPrivateKey
    front: CloudRunFrontEnd  # the worker's front end, signing pushes as Pub/Sub

    @property
    def url(self) -> str:
        return self.stack.service_url

    def mails(self) -> list[Path]:
        return sorted((self.data_dir / "outbox").glob("*.eml"))

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until the local publisher has delivered everything it spooled."""
        deadline = time.monotonic() + timeout
        spool = self.data_dir / "spool"
        while time.monotonic() < deadline:
            if not any(spool.glob("*.json")):
                return
            time.sleep(0.1)
        raise TimeoutError("messages still spooled")


@contextmanager
def serving(
    tmp_path: Path,
    sample_book: bytes,
    sample_epub: bytes,
    env: dict[str, str],
    *,
    dashboard: bool = False,
    objects: dict[str, bytes] | None = None,
) -> Iterator[LiveStack]:
    """Both apps (and the dashboard, DASHBOARD_AUTH=local) under gunicorn with the sample
    book's originals (and these other objects of the source bucket) and these settings.

    The worker sits behind the Cloud Run front-end stand-in with PUSH_AUTH=cloud-run;
    `env` says what the shop sells through (a merchant's secret, a catalog).
    """
    data_dir = tmp_path / "var"
    originals = data_dir / "storage" / "exlibris-originals"
    originals.mkdir(parents=True)
    (originals / "practical-python.pdf").write_bytes(sample_book)
    (originals / "practical-python.epub").write_bytes(sample_epub)
    for name, data in (objects or {}).items():
        (originals / name).parent.mkdir(parents=True, exist_ok=True)
        (originals / name).write_bytes(data)
    env = {"STAMP_SECRET": STAMP_SECRET, **env}
    worker_port = free_port()
    with cloud_run_frontend(
        f"http://127.0.0.1:{worker_port}",
        GoogleIssuer(),
        invokers=(PUSH_ACCOUNT, DEPLOYER),
        push_account=PUSH_ACCOUNT,
    ) as front:
        env |= {
            "PUSH_AUTH": "cloud-run",
            "PUSH_AUDIENCE": front.url,
            "PUSH_SERVICE_ACCOUNT": PUSH_ACCOUNT,
            "WORKER_PUSH_URL": f"{front.url}/pubsub/push",
        }
        with running_stack(
            data_dir,
            worker_port=worker_port,
            extra_env=env,
            dashboard_port=free_port() if dashboard else None,
        ) as stack:
            yield LiveStack(stack, data_dir, CLASSIC_KEY, front)


def paddle_env(tmp_path: Path, catalog: Path) -> dict[str, str]:
    """Settings selling through Paddle Billing and Classic from this catalog."""
    pem = tmp_path / "paddle-classic.pub"
    pem.write_text(public_pem(CLASSIC_KEY))
    return {
        "CATALOG": str(catalog),
        "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PADDLE_PUBLIC_KEY": str(pem),
        "PADDLE_SIGNATURE_TOLERANCE": "30",
    }


@pytest.fixture
def live(tmp_path: Path, sample_book: bytes, sample_epub: bytes) -> Iterator[LiveStack]:
    """The stack selling through Paddle Billing and Classic, with the sample catalog."""
    with serving(tmp_path, sample_book, sample_epub, paddle_env(tmp_path, SAMPLE_CATALOG)) as stack:
        yield stack


@pytest.fixture
def imprinted(tmp_path: Path, sample_book: bytes, sample_epub: bytes) -> Iterator[LiveStack]:
    """The stack selling the sample book under Held Out Press (a logo in the bucket)."""
    catalog = imprint_catalog(tmp_path / "imprint.toml", logo=True)
    env = paddle_env(tmp_path, catalog) | {"MAIL_DOMAINS": "example.com,heldout.example"}
    with serving(tmp_path, sample_book, sample_epub, env, objects={LOGO: logo_png()}) as stack:
        yield stack
