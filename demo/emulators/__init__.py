"""The Google Cloud emulators, started and stopped in one place for the tests and the operator.

- Cloud Storage: gcp-storage-emulator, in this process on a loopback port, in
  memory. It ignores generation preconditions (ifGenerationMatch), sends no
  x-goog-generation header on downloads, and serves V4-signed URLs without
  checking the signature (it does honour response-content-disposition).
- Pub/Sub: `gcloud beta emulators pubsub start` as a subprocess in its own
  process group, ready when its HTTP port answers "Ok"; stopped with the group.
  Needs gcloud with the pubsub-emulator component, and Java.

Clients are built with explicit endpoints (anonymous credentials, insecure
gRPC channels) so nothing leaks through os.environ; `env()` gives the
variables for a child process that should use the emulator. Used by
tests/support/fixtures.py (session fixtures) and `python -m demo.emulators`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import grpc
from gcp_storage_emulator.server import create_server
from google.auth.credentials import AnonymousCredentials
from google.cloud import pubsub_v1, storage
from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

from demo.stack import free_port

PROJECT = "exlibris-local"


class EmulatorUnavailable(RuntimeError):
    """The emulator cannot run here; the message says why (tests skip with it)."""


class StorageEmulator:
    def __init__(self, port: int | None = None, project: str = PROJECT) -> None:
        self.port = port or free_port()
        self.project = project
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = create_server("127.0.0.1", self.port, in_memory=True)

    def start(self) -> StorageEmulator:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def client(self) -> storage.Client:
        return storage.Client(
            project=self.project,
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": self.endpoint},
        )

    def new_bucket(self, name: str | None = None) -> str:
        """Create a bucket (a fresh name unless given, so tests never see each other's objects)."""
        name = name or f"test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(name)
        return name

    def env(self) -> dict[str, str]:
        return {"STORAGE_EMULATOR_HOST": self.endpoint}


class PubSubEmulator:
    def __init__(
        self,
        data_dir: Path,
        ready_within: float = 90.0,
        *,
        port: int | None = None,
        project: str = PROJECT,
    ) -> None:
        self.port = port or free_port()
        self.project = project
        self.host = f"127.0.0.1:{self.port}"
        self._data_dir = data_dir
        self._ready_within = ready_within
        self._process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "pubsub-emulator.log"

    def start(self) -> PubSubEmulator:
        gcloud = shutil.which("gcloud")
        if gcloud is None:
            raise EmulatorUnavailable("gcloud is not installed (Pub/Sub emulator)")
        if shutil.which("java") is None:
            raise EmulatorUnavailable("java is not installed (the Pub/Sub emulator needs it)")
        command = [gcloud, "beta", "emulators", "pubsub", "start"]
        command += [f"--host-port={self.host}", f"--project={self.project}"]
        command += [f"--data-dir={self._data_dir}"]
        self._data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=5)

    def publisher(self) -> pubsub_v1.PublisherClient:
        channel = grpc.insecure_channel(self.host)
        return pubsub_v1.PublisherClient(transport=PublisherGrpcTransport(channel=channel))

    def subscriber(self) -> pubsub_v1.SubscriberClient:
        channel = grpc.insecure_channel(self.host)
        return pubsub_v1.SubscriberClient(transport=SubscriberGrpcTransport(channel=channel))

    def env(self) -> dict[str, str]:
        return {"PUBSUB_EMULATOR_HOST": self.host, "PUBSUB_PROJECT_ID": self.project}

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self._ready_within
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-800:]
                raise EmulatorUnavailable(f"Pub/Sub emulator exited early: {tail}")
            try:
                with urllib.request.urlopen(f"http://{self.host}/", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise EmulatorUnavailable(f"Pub/Sub emulator not ready within {self._ready_within:g}s")
