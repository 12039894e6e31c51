#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for S3 tests: cubegen -> this proxy -> SeaweedFS, all on loopback.

Requests are forwarded unchanged, the `Host` header included: the client signs (SigV4) for the
proxy's host:port, and the S3 service checks the signature against the `Host` it receives, so the
signature stays valid. On a seeded schedule some requests are answered with a fault instead:

  slowdown         503 SlowDown with an S3 XML error body (request not forwarded)
  internal         500 InternalError with an S3 XML error body (request not forwarded)
  request-timeout  400 RequestTimeout with an S3 XML error body (request not forwarded); S3 sends it
                   only for a body that came too slowly, so for other methods than PUT/POST it is `slowdown`
  reset            the request IS forwarded (the write happens), then the answer is cut: status line,
                   headers and half the body (half the header block for an empty body), then a TCP reset
  stall            the request is read and never answered until the client gives up (its read
                   timeout) or `stall_seconds` pass; then the connection is closed

Modes: `pass` (forward everything, only log), `fraction` (a seeded fraction of requests faulted),
`all` (every request faulted). The decision for a request depends only on the seed, its method and
target (path and query) and how many times the same method and target came before (the attempt),
never on timing or on the order of concurrent requests, so a seed gives the same schedule every run.
In `fraction` mode at most `max_consecutive` attempts of one request in a row are faulted, so a
client that retries at least that often always gets through; `max_stalls` bounds the stalls (each
costs the client its read timeout), later stall decisions become `slowdown`. `start_after` lets the
first N requests (in arrival order) pass, to fail a run midway.

Every request is logged to a JSON-lines file: n, method, path, attempt, status (null when no answer
was sent), fault, request and response body bytes, seconds. Loopback only (listening and upstream).
The proxy stops by itself after `lifetime` seconds.

Use in a test:   with FaultProxy(upstream, log_path, mode="fraction", fraction=0.25, seed=7) as p: p.url
or standalone:   s3_fault_proxy.py --upstream http://127.0.0.1:8333 --log requests.jsonl --mode pass
                 (prints the proxy's URL on its first line of output, serves until SIGINT/SIGTERM or lifetime)
"""
import argparse
import hashlib
import http.client
import http.server
import ipaddress
import json
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

KINDS = ("slowdown", "internal", "reset", "stall", "request-timeout")
# Relative weights of the kinds in `fraction` mode (stalls are expensive: the client's read timeout).
WEIGHTS = {"slowdown": 3, "internal": 3, "reset": 3, "stall": 1, "request-timeout": 2}
ERRORS = {
    "slowdown": (503, "Service Unavailable", "SlowDown", "Please reduce your request rate."),
    "internal": (500, "Internal Server Error", "InternalError",
                 "We encountered an internal error. Please try again."),
    "request-timeout": (400, "Bad Request", "RequestTimeout",
                        "Your socket connection to the server was not read from or written to within the timeout period."),
}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade"}


def _loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class FaultSchedule:
    """The pure decision function: which fault (or None) a request gets."""

    def __init__(self, seed=0, mode="fraction", fraction=0.25, kinds=KINDS, max_consecutive=2, weights=None):
        if mode not in ("pass", "fraction", "all"):
            raise ValueError(f"mode must be pass, fraction or all, not {mode!r}")
        unknown = set(kinds) - set(KINDS)
        if unknown or not kinds:
            raise ValueError(f"fault kinds must be among {', '.join(KINDS)}; got {sorted(kinds)}")
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must lie in [0, 1]")
        self.seed, self.mode, self.fraction = seed, mode, fraction
        self.kinds = tuple(k for k in KINDS if k in kinds)  # a canonical order: the schedule ignores the given order
        self.max_consecutive = max_consecutive
        weights = weights or WEIGHTS
        self._table = [k for k in self.kinds for _ in range(weights.get(k, 1))]

    def _uniforms(self, method, target, attempt):
        digest = hashlib.sha256(f"{self.seed}\0{method}\0{target}\0{attempt}".encode()).digest()
        a, b = struct.unpack(">QQ", digest[:16])
        return a / 2**64, b

    def decide(self, method, target, attempt):
        """The fault for the `attempt`-th (0-based) request with this method and target, or None."""
        if self.mode == "pass":
            return None
        u, v = self._uniforms(method, target, attempt)
        if self.mode == "all":
            return self._realistic(self.kinds[v % len(self.kinds)], method)
        if attempt >= self.max_consecutive or u >= self.fraction:
            return None
        return self._realistic(self._table[v % len(self._table)], method)

    def _realistic(self, kind, method):
        # S3 answers RequestTimeout only to a request whose body came too slowly: PUT and POST.
        return "slowdown" if kind == "request-timeout" and method not in ("PUT", "POST") else kind


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cubegen-fault-proxy"
    proxy = None  # set per server class

    def log_message(self, *args):  # quiet: the JSON log is the record
        pass

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length is not None:
            return self.rfile.read(int(length))
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return b""

    def _relay(self):
        proxy = self.proxy
        started = time.monotonic()
        body = self._read_body()
        n, attempt, fault = proxy._admit(self.command, self.path)
        entry = {"n": n, "method": self.command, "path": self.path, "attempt": attempt, "fault": fault,
                 "request_bytes": len(body)}
        try:
            if fault in ERRORS:
                entry["status"], entry["response_bytes"] = self._send_error(fault, n)
            elif fault == "stall":
                entry["status"], entry["response_bytes"] = None, 0
                self._stall(proxy.stall_seconds)
            else:
                status, reason, headers, payload = self._forward(body)
                entry["status"] = status
                if fault == "reset":
                    entry["response_bytes"] = self._send_cut(status, reason, headers, payload)
                else:
                    self._send(status, reason, headers, payload)
                    entry["response_bytes"] = len(payload)
        except Exception as error:  # an upstream that fails is a 502 to the client, and logged
            entry.setdefault("status", None)
            entry["error"] = f"{type(error).__name__}: {error}"
            if entry["status"] is None and fault is None:
                try:
                    entry["status"], entry["response_bytes"] = self._send_xml(502, "Bad Gateway", "BadGateway",
                                                                              str(error), n)
                except OSError:
                    pass
            self.close_connection = True
        entry["seconds"] = round(time.monotonic() - started, 4)
        proxy._log(entry)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

    # --- answers -------------------------------------------------------------------------------

    def _send(self, status, reason, headers, payload):
        self.send_response_only(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    def _send_xml(self, status, reason, code, message, n):
        resource = urllib.parse.urlsplit(self.path).path
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
                f"<Resource>{resource}</Resource><RequestId>fault-{n}</RequestId></Error>").encode()
        headers = [("Content-Type", "application/xml"), ("Content-Length", str(len(body))),
                   ("x-amz-request-id", f"fault-{n}")]
        self._send(status, reason, headers, body)
        return status, 0 if self.command == "HEAD" else len(body)

    def _send_error(self, fault, n):
        status, reason, code, message = ERRORS[fault]
        return self._send_xml(status, reason, code, message, n)

    def _send_cut(self, status, reason, headers, payload):
        """Status line, headers and half the body (or half the header block), then a TCP reset."""
        head = f"HTTP/1.1 {status} {reason}\r\n".encode("latin-1")
        head += b"".join(f"{k}: {v}\r\n".encode("latin-1") for k, v in headers) + b"\r\n"
        if self.command != "HEAD" and len(payload) >= 2:
            sent = head + payload[: len(payload) // 2]
        else:
            sent = head[: len(head) // 2]
        self.wfile.write(sent)
        self.wfile.flush()
        self._reset()
        return max(0, len(sent) - len(head))

    def _reset(self):
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()  # linger 0: RST, not FIN
        except OSError:
            pass

    def _stall(self, seconds):
        """Says nothing until the client closes (its read timeout) or `seconds` pass, then closes."""
        deadline = time.monotonic() + seconds
        while not self.proxy._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            readable, _, _ = select.select([self.connection], [], [], min(0.25, left))
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        break  # the client gave up
                except OSError:
                    break
                time.sleep(min(0.25, max(0.0, left)))  # a pipelined request: keep stalling
        self._reset()

    # --- upstream ------------------------------------------------------------------------------

    def _forward(self, body):
        """Sends the request as received (Host included) to the upstream; returns its answer."""
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
        if "Content-Length" not in self.headers and body:
            headers.append(("Content-Length", str(len(body))))
        for attempt in (0, 1):  # a kept-alive upstream connection may have been closed meanwhile
            conn = getattr(self, "_upstream", None)
            if conn is None:
                conn = self._upstream = http.client.HTTPConnection(*self.proxy.upstream,
                                                                   timeout=self.proxy.upstream_timeout)
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    conn.putheader(name, value)
                conn.endheaders(body if body else None)
                response = conn.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                self._upstream = None
                if attempt == 1:
                    raise
        out = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
        if self.command == "HEAD":
            length = response.getheader("Content-Length")
            if length is not None:
                out.append(("Content-Length", length))
        elif response.status not in (204, 304) and not 100 <= response.status < 200:
            out.append(("Content-Length", str(len(payload))))
        if response.will_close:
            conn.close()
            self._upstream = None
        return response.status, response.reason, out, payload

    def finish(self):
        conn = getattr(self, "_upstream", None)
        if conn is not None:
            conn.close()
        try:
            super().finish()
        except OSError:
            pass


class FaultProxy:
    """The proxy, serving from background threads; a context manager that stops it on exit."""

    def __init__(self, upstream, log_path=None, mode="fraction", fraction=0.25, seed=0, kinds=KINDS,
                 max_consecutive=2, max_stalls=None, start_after=0, stall_seconds=40.0, lifetime=900.0,
                 port=0, upstream_timeout=120.0):
        parts = urllib.parse.urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or not _loopback(parts.hostname):
            raise ValueError(f"upstream must be http:// on a loopback address, not {upstream!r}")
        self.upstream = (parts.hostname, parts.port or 80)
        self.schedule = FaultSchedule(seed, mode, fraction, kinds, max_consecutive)
        self.max_stalls, self.start_after = max_stalls, start_after
        self.stall_seconds, self.lifetime, self.upstream_timeout = stall_seconds, lifetime, upstream_timeout
        self.log_path = log_path
        self._lock = threading.Lock()
        self._attempts = {}
        self._count = 0
        self._stalls = 0
        self._entries = []
        self._log_file = open(log_path, "a", encoding="utf-8") if log_path else None
        self._stopping = threading.Event()
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = _Server(("127.0.0.1", port), handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = None
        self._timer = None

    def reconfigure(self, mode="pass", fraction=0.25, seed=0, kinds=KINDS, max_consecutive=2, max_stalls=None,
                    start_after=0):
        """A new schedule on the same port (a client's signed Host stays valid); counts and log restart."""
        with self._lock:
            self.schedule = FaultSchedule(seed, mode, fraction, kinds, max_consecutive)
            self.max_stalls, self.start_after = max_stalls, start_after
            self._attempts, self._count, self._stalls, self._entries = {}, 0, 0, []

    def _admit(self, method, target):
        with self._lock:
            n = self._count
            self._count += 1
            attempt = self._attempts.get((method, target), 0)
            self._attempts[(method, target)] = attempt + 1
            fault = None if n < self.start_after else self.schedule.decide(method, target, attempt)
            if fault == "stall":
                if self.max_stalls is not None and self._stalls >= self.max_stalls:
                    fault = "slowdown"
                else:
                    self._stalls += 1
            return n, attempt, fault

    def _log(self, entry):
        with self._lock:
            self._entries.append(entry)
            if self._log_file:
                self._log_file.write(json.dumps(entry) + "\n")
                self._log_file.flush()

    @property
    def entries(self):
        """The log so far, in completion order."""
        with self._lock:
            return list(self._entries)

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="fault-proxy", daemon=True)
        self._thread.start()
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self):
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._timer is not None and threading.current_thread() is not self._timer:
            self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            if self._log_file:
                self._log_file.close()
                self._log_file = None

    def wait(self):
        """Blocks until stopped (lifetime or stop())."""
        while not self._stopping.wait(0.5):
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    p = argparse.ArgumentParser(description="Fault-injecting loopback HTTP proxy for S3 tests.")
    p.add_argument("--upstream", help="http://127.0.0.1:PORT of the S3 service (required to serve)")
    p.add_argument("--port", type=int, default=0, help="listening port on 127.0.0.1 (0: any free port)")
    p.add_argument("--log", help="JSON-lines request log")
    p.add_argument("--mode", choices=("pass", "fraction", "all"), default="pass")
    p.add_argument("--fraction", type=float, default=0.25)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: " + ", ".join(KINDS))
    p.add_argument("--max-consecutive", type=int, default=2)
    p.add_argument("--max-stalls", type=int)
    p.add_argument("--start-after", type=int, default=0)
    p.add_argument("--stall-seconds", type=float, default=40.0)
    p.add_argument("--lifetime", type=float, default=3600.0, help="stop after this many seconds")
    p.add_argument("--print-schedule", type=int, metavar="N",
                   help="print the decisions for N attempts of 'GET /b/k' and exit (no proxy)")
    a = p.parse_args(argv)
    kinds = [k for k in a.kinds.split(",") if k]
    if a.print_schedule is not None:
        schedule = FaultSchedule(a.seed, a.mode, a.fraction, kinds, a.max_consecutive)
        for i in range(a.print_schedule):
            print(schedule.decide("GET", f"/b/k{i}", 0) or "-")
        return 0
    if not a.upstream:
        p.error("--upstream is required")
    proxy = FaultProxy(a.upstream, a.log, a.mode, a.fraction, a.seed, kinds, a.max_consecutive, a.max_stalls,
                       a.start_after, a.stall_seconds, a.lifetime, a.port)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: threading.Thread(target=proxy.stop, daemon=True).start())
    proxy.start()
    print(proxy.url, flush=True)
    proxy.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
