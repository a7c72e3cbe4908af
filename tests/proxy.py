"""A tiny round-robin reverse proxy on a loopback port, standing in for nginx in tests.

Like nginx's `proxy_next_upstream error`, a request goes to the next replica when a replica
refuses the connection, and an idempotent request is also retried when the connection drops
before any response; a POST already sent is never replayed.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
}
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}


class RoundRobinProxy(ThreadingHTTPServer):
    """Forwards each request to the next of `ports` on 127.0.0.1 and records who served it."""

    daemon_threads = True

    def __init__(self, ports: Sequence[int]) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.ports = list(ports)
        self._turn = itertools.cycle(range(len(self.ports)))
        self._lock = threading.Lock()
        self.served: list[int] = []  # upstream port of each answered request
        self.failovers = 0

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}"

    def next_ports(self) -> list[int]:
        """Every upstream, starting with the next one in turn."""
        with self._lock:
            start = next(self._turn)
        return self.ports[start:] + self.ports[:start]


class _Handler(BaseHTTPRequestHandler):
    server: RoundRobinProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = self.client_address[0]
        for attempt, port in enumerate(self.server.next_ports()):
            if attempt:
                self.server.failovers += 1
            upstream = http.client.HTTPConnection(LOOPBACK, port, timeout=60)
            try:
                upstream.connect()
            except OSError:
                continue  # refused: nothing was sent, any method may go elsewhere
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
            except (ConnectionError, http.client.RemoteDisconnected):
                upstream.close()
                if self.command in IDEMPOTENT:
                    continue
                break
            upstream.close()
            self.server.served.append(port)
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(name, value)
            self.send_header("X-Upstream-Port", str(port))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            return
        error = json.dumps({"error": {"code": "bad_gateway", "message": "no replica answered"}})
        self.send_response(502)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(error)))
        self.end_headers()
        self.wfile.write(error.encode())

    do_GET = do_POST = do_DELETE = do_HEAD = do_OPTIONS = do_PUT = _forward


@contextmanager
def running_proxy(ports: Sequence[int]) -> Iterator[RoundRobinProxy]:
    """A round-robin proxy over the replicas on `ports`, served from a thread."""
    proxy = RoundRobinProxy(ports)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=10)
