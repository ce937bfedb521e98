"""Google Cloud emulators for integration tests, started once per session.

- Cloud Storage: gcp-storage-emulator, in this process on an ephemeral port,
  in memory. It ignores generation preconditions (ifGenerationMatch) and sends
  no x-goog-generation header on downloads; tests mark the precondition cases.
- Pub/Sub: `gcloud beta emulators pubsub start` as a subprocess in its own
  process group, ready when its HTTP port answers "Ok"; stopped with the group.

Clients are built with explicit endpoints (anonymous credentials, insecure
gRPC channels) so nothing leaks through os.environ into other tests; `env()`
gives the variables for a child process that should use the emulator.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
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

PROJECT = "test"


class EmulatorUnavailable(RuntimeError):
    """The emulator cannot run here; the message is the skip reason."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StorageEmulator:
    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = create_server("127.0.0.1", self.port, in_memory=True)

    def start(self) -> StorageEmulator:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def client(self) -> storage.Client:
        return storage.Client(
            project=PROJECT,
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": self.endpoint},
        )

    def new_bucket(self) -> str:
        """Create a bucket with a fresh name, so tests never see each other's objects."""
        name = f"test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(name)
        return name

    def env(self) -> dict[str, str]:
        return {"STORAGE_EMULATOR_HOST": self.endpoint}


class PubSubEmulator:
    def __init__(self, data_dir: Path, ready_within: float = 90.0) -> None:
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self._data_dir = data_dir
        self._ready_within = ready_within
        self._process: subprocess.Popen[bytes] | None = None
        self._log = data_dir / "pubsub-emulator.log"

    def start(self) -> PubSubEmulator:
        gcloud = shutil.which("gcloud")
        if gcloud is None:
            raise EmulatorUnavailable("gcloud is not installed (Pub/Sub emulator)")
        if shutil.which("java") is None:
            raise EmulatorUnavailable("java is not installed (the Pub/Sub emulator needs it)")
        command = [gcloud, "beta", "emulators", "pubsub", "start"]
        command += [f"--host-port={self.host}", f"--project={PROJECT}"]
        command += [f"--data-dir={self._data_dir}"]
        with open(self._log, "wb") as log:
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
        return {"PUBSUB_EMULATOR_HOST": self.host, "PUBSUB_PROJECT_ID": PROJECT}

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self._ready_within
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                tail = self._log.read_text(errors="replace")[-800:]
                raise EmulatorUnavailable(f"Pub/Sub emulator exited early: {tail}")
            try:
                with urllib.request.urlopen(f"http://{self.host}/", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise EmulatorUnavailable(f"Pub/Sub emulator not ready within {self._ready_within:g}s")
