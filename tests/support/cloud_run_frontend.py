"""A stand-in for Cloud Run's front end before a private (IAM) service, on a loopback port.

Our worker is private: only the push account may invoke it. On Cloud Run the
front end, not the app, checks every request's ID token, and it forwards what
it let in altered. A stand-in that passed requests through untouched would be
kinder than the platform (the bug of issue 10: every real push arrived with a
token the app could not verify). This proxy does what the platform does:

- It checks the bearer token against a certificate set made with the test's
  own key (tests/support/google_identity.py): signature, expiry, `iss`, and
  `aud` equal to the service URL, with or without a trailing slash
  (python-docs-samples auth/service-to-service/auth.py: "Cloud Run uses your
  service's hostname as the audience"; a wrong audience is a 401,
  GoogleCloudPlatform/cloud-run-proxy#10). Then IAM: the token's email must
  hold roles/run.invoker (`invokers`).
- It answers itself, with Google's HTML pages and not the app's JSON: no token
  at all is 403 "Your client does not have permission to get URL / from this
  server" (datacommonsorg/docsite#463), an invalid one 401 "Your client does
  not have permission to the requested URL" (google/adk-python#3814), a valid
  token of an account without the invoker role 403.
- It reads `X-Serverless-Authorization` first: when both headers are sent it
  checks only that one and passes `Authorization` through untouched
  (https://cloud.google.com/run/docs/authenticating/service-to-service#acquire-token,
  confirmed by Cloud Run's PM in GoogleCloudPlatform/cloud-run-proxy#25;
  pomerium/pomerium#6677).
- It replaces the checked token's signature with SIGNATURE_REMOVED_BY_GOOGLE
  before forwarding (https://cloud.google.com/run/docs/troubleshooting#signature-removed).
- It adds X-Forwarded-For (appending the client to any supplied value, as
  Google's load balancers do: cloud.google.com/load-balancing/docs/https#x-forwarded-for_header),
  X-Forwarded-Proto https, X-Cloud-Trace-Context and W3C traceparent when the
  caller sent none (ahmetb/cloud-run-faq#71 lists the X- headers Cloud Run
  injects; cloud.google.com/trace/docs/trace-context for both trace headers),
  and drops hop-by-hop headers (RFC 9110 section 7.6.1) both ways.
- It refuses a request body over 32 MiB with Google's 413 page, the HTTP/1
  limit (https://cloud.google.com/run/quotas: "Maximum HTTP/1 request size,
  in MiB: 32"; page as in zhaofengli/attic#220), before any token check.

Test mode (`push_account`): the Pub/Sub emulator and the embedded publisher
send no token, so the proxy adds the one Pub/Sub would, signed by the test
key for the push account, with the service URL as audience. Several front
ends may stand for one service (`service_url`), as Cloud Run has many: a
strict one beside a test-mode one lets a test send tokenless requests too.
An unreachable
upstream is a 503 (our choice; Cloud Run then retries or cold-starts).
`exchanges` records what arrived, what was forwarded and the answer.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from google.auth import exceptions as google_exceptions
from google.auth import jwt

from tests.support.google_identity import PUSH_ACCOUNT, GoogleIssuer, stripped
from tests.support.http_standin import Recorded

MAX_HTTP1_REQUEST = 32 * 1024 * 1024
GOOGLE_ISSUERS = frozenset({"https://accounts.google.com", "accounts.google.com"})
NOT_FORWARDED = frozenset(  # hop-by-hop, plus the framing we recompute
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection"}
    | {"te", "trailer", "transfer-encoding", "upgrade", "content-length", "host"}
)
_DENIED = "Your client does not have permission to"
_PAGES = {
    401: ("Unauthorized", f"{_DENIED} the requested URL <code>{{}}</code>."),
    403: ("Forbidden", f"{_DENIED} get URL <code>{{}}</code> from this server."),
    413: ("Request Entity Too Large", "Your client issued a request that was too large.\n"),
}


def google_page(status: int, path: str) -> bytes:
    """The Google Front End's own error page for status."""
    reason, detail = _PAGES[status]
    return (
        '<html><head>\n<meta http-equiv="content-type" content="text/html;charset=utf-8">\n'
        f"<title>{status} {reason}</title>\n</head>\n<body text=#000000 bgcolor=#ffffff>\n"
        f"<h1>Error: {reason}</h1>\n<h2>{detail.format(path)}</h2>\n<h2></h2>\n</body></html>\n"
    ).encode()


@dataclass(frozen=True)
class Exchange:
    """One request: as it arrived, the headers the app got (None: refused here), the answer."""

    received: Recorded
    forwarded: dict[str, str] | None
    status: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that drops its kept-alive connection (the emulator does) is no error."""


class Refused(Exception):
    """The front end answers this status itself; the app never sees the request."""

    def __init__(self, status: int) -> None:
        self.status = status


class CloudRunFrontEnd:
    def __init__(
        self,
        upstream: str,
        issuer: GoogleIssuer,
        *,
        invokers: Collection[str] = (PUSH_ACCOUNT,),
        push_account: str | None = None,
        service_url: str | None = None,
        max_request_bytes: int = MAX_HTTP1_REQUEST,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self._service_url = service_url
        self.issuer = issuer
        self.invokers = frozenset(invokers)
        self.push_account = push_account
        self.max_request_bytes = max_request_bytes
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._session = requests.Session()
        self._server = _Server(("127.0.0.1", 0), _handler_class(self))

    @property
    def url(self) -> str:
        """Where this front end listens."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def service_url(self) -> str:
        """The service URL it stands for (its own unless shared): a token's `aud` names it."""
        return self._service_url or self.url

    def admit(self, headers: dict[str, str]) -> dict[str, str]:
        """The headers to forward for a request the platform lets in; Refused otherwise."""
        lower = {k.lower(): v for k, v in headers.items()}
        checked = "x-serverless-authorization" if "x-serverless-authorization" in lower else ""
        checked = checked or ("authorization" if "authorization" in lower else "")
        if not checked and self.push_account:  # test mode: sign as Pub/Sub's push would
            checked, lower["authorization"] = "authorization", self.bearer(self.push_account)
        if not checked:
            raise Refused(403)
        scheme, _, token = lower[checked].partition(" ")
        claims = self._verified(token.strip()) if scheme.lower() == "bearer" else None
        if claims is None:
            raise Refused(401)
        if claims.get("email") not in self.invokers:
            raise Refused(403)
        lower[checked] = f"Bearer {stripped(token.strip())}"
        return lower

    def bearer(self, email: str, **changes: Any) -> str:
        return f"Bearer {self.issuer.mint(self.service_url, email, **changes)}"

    def _verified(self, token: str) -> dict[str, Any] | None:
        try:
            claims = jwt.decode(
                token, certs=self.issuer.certs, audience=[self.service_url, self.service_url + "/"]
            )
        except (ValueError, google_exceptions.GoogleAuthError):
            return None
        return claims if claims.get("iss") in GOOGLE_ISSUERS else None

    def forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes, client: str
    ) -> tuple[dict[str, str], requests.Response]:
        """Send the admitted request on with the headers Cloud Run adds; the app's answer."""
        out = {k: v for k, v in headers.items() if k not in _hop_by_hop(headers)}
        supplied = out.get("x-forwarded-for")
        out["x-forwarded-for"] = f"{supplied},{client}" if supplied else client
        out["x-forwarded-proto"] = "https"
        trace, span = secrets.token_hex(16), secrets.randbits(63)
        out.setdefault("x-cloud-trace-context", f"{trace}/{span};o=1")
        out.setdefault("traceparent", f"00-{trace}-{span:016x}-01")
        out["host"] = headers.get("host", self.service_url.split("://", 1)[1])
        answer = self._session.request(
            method, self.upstream + path, headers=out, data=body, stream=True, timeout=300
        )
        return out, answer


def _hop_by_hop(headers: dict[str, str]) -> set[str]:
    """Hop-by-hop names: the fixed set plus any the Connection header nominates."""
    named = {n.strip().lower() for n in headers.get("connection", "").split(",") if n.strip()}
    return set(NOT_FORWARDED) | named


def _handler_class(front: CloudRunFrontEnd) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            headers = dict(self.headers.items())
            received = Recorded(self.command, self.path, {}, headers, b"")
            body = self._body()
            if body is None:
                return self._refuse(received, 413)
            received = Recorded(self.command, self.path, {}, headers, body)
            try:
                admitted = front.admit(headers)
            except Refused as refused:
                return self._refuse(received, refused.status)
            try:
                forwarded, answer = front.forward(
                    self.command, self.path, admitted, body, self.client_address[0]
                )
            except requests.RequestException:
                return self._send(received, None, 503, {}, b"Service Unavailable")
            content = answer.raw.read(decode_content=False)  # relayed as the app encoded it
            answer.close()
            relay = {k: v for k, v in answer.headers.items() if k.lower() not in NOT_FORWARDED}
            self._send(received, forwarded, answer.status_code, relay, content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

        def _body(self) -> bytes | None:
            """The request body, or None when it is over the limit (read to the end anyway,
            so the client gets the 413 instead of a broken pipe)."""
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                pieces = _chunked(self.rfile)
            else:
                pieces = _sized(self.rfile, int(self.headers.get("Content-Length") or 0))
            kept: list[bytes] = []
            size = 0
            for piece in pieces:
                size += len(piece)
                if size <= front.max_request_bytes:
                    kept.append(piece)
            return b"".join(kept) if size <= front.max_request_bytes else None

        def _refuse(self, received: Recorded, status: int) -> None:
            self.close_connection = status == 413  # as Google's front end does after a 413
            page = google_page(status, received.path.split("?")[0])
            self._send(received, None, status, {"Content-Type": "text/html; charset=UTF-8"}, page)

        def _send(self, received, forwarded, status: int, headers: dict, body: bytes) -> None:
            with front._lock:
                front.exchanges.append(Exchange(received, forwarded, status))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _sized(stream: Any, length: int, piece: int = 1 << 16) -> Iterator[bytes]:
    while length > 0:
        data = stream.read(min(piece, length))
        if not data:
            return
        length -= len(data)
        yield data


def _chunked(stream: Any) -> Iterator[bytes]:
    """The pieces of a Transfer-Encoding: chunked body (RFC 9112 section 7.1)."""
    while size := int(stream.readline().split(b";")[0].strip() or b"0", 16):
        yield stream.read(size)
        stream.readline()
    while stream.readline().strip():  # trailer fields, ignored
        pass


@contextmanager
def cloud_run_frontend(upstream: str, issuer: GoogleIssuer, **options: Any):
    """The front end on a loopback port for the length of the block."""
    front = CloudRunFrontEnd(upstream, issuer, **options)
    thread = threading.Thread(target=front._server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield front
    finally:
        front._server.shutdown()
        front._server.server_close()
