"""Both apps served for real by gunicorn on loopback ports, with test keys and secrets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from demo.stack import Stack, running_stack
from tests.conftest import SAMPLE_CATALOG, STAMP_SECRET, WEBHOOK_SECRET
from tests.support.paddle_payloads import public_pem, rsa_test_key


@dataclass
class LiveStack:
    stack: Stack
    data_dir: Path
    classic_key: RSAPrivateKey

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


@pytest.fixture
def live(tmp_path: Path, sample_book: bytes, sample_epub: bytes) -> Iterator[LiveStack]:
    data_dir = tmp_path / "var"
    originals = data_dir / "storage" / "exlibris-originals"
    originals.mkdir(parents=True)
    (originals / "practical-python.pdf").write_bytes(sample_book)
    (originals / "practical-python.epub").write_bytes(sample_epub)
    key = rsa_test_key()
    pem = tmp_path / "paddle-classic.pub"
    pem.write_text(public_pem(key))
    env = {
        "CATALOG": str(SAMPLE_CATALOG),
        "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PADDLE_PUBLIC_KEY": str(pem),
        "STAMP_SECRET": STAMP_SECRET,
        "PADDLE_SIGNATURE_TOLERANCE": "30",
    }
    with running_stack(data_dir, extra_env=env) as stack:
        yield LiveStack(stack, data_dir, key)
