"""A static file server on loopback with what object stores give and Python's http.server lacks:
byte ranges (`Range: bytes=a-b`, `bytes=-n`, 206/416), HEAD with Content-Length, and an ETag (the
MD5 of the content, as S3 gives for single-part uploads). Requests are logged (method, path, range)
so tests can check that files were read by range, not whole. Serves one folder; loopback only."""
import hashlib
import http.server
import os
import pathlib
import re
import threading


class _Server(http.server.ThreadingHTTPServer):
    """A threading server with a listen backlog for many concurrent clients (socketserver's 5
    drops connection attempts that then wait for TCP's one-second SYN retransmission)."""
    request_queue_size = 128
    daemon_threads = True


class _Handler(http.server.BaseHTTPRequestHandler):
    # Headers and body go out as separate writes: with Nagle's algorithm each response would wait
    # for the client's delayed ACK (40 ms).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    root: pathlib.Path
    log: list

    def log_message(self, *args):  # quiet
        pass

    def _file(self):
        path = (self.root / self.path.split("?")[0].lstrip("/")).resolve()
        if self.root not in path.parents or not path.is_file():
            return None
        return path

    def _headers(self, status, length, etag, extra=()):
        self.send_response(status)
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", f'"{etag}"')
        self.send_header("Accept-Ranges", "bytes")
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()

    def do_HEAD(self):
        self._serve(body=False)

    def do_GET(self):
        self._serve(body=True)

    def _serve(self, body):
        path = self._file()
        header = self.headers.get("Range")
        self.log.append((self.command, self.path, header))
        if path is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = path.read_bytes()
        etag = hashlib.md5(data).hexdigest()
        if header is None:
            self._headers(200, len(data), etag)
            if body:
                self.wfile.write(data)
            return
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
        if not match or (match[1] == "" and match[2] == ""):
            self._headers(416, 0, etag, [("Content-Range", f"bytes */{len(data)}")])
            return
        if match[1] == "":
            start, end = max(0, len(data) - int(match[2])), len(data) - 1
        else:
            start, end = int(match[1]), min(len(data) - 1, int(match[2]) if match[2] else len(data) - 1)
        if start >= len(data) or start > end:
            self._headers(416, 0, etag, [("Content-Range", f"bytes */{len(data)}")])
            return
        self._headers(206, end - start + 1, etag, [("Content-Range", f"bytes {start}-{end}/{len(data)}")])
        if body:
            self.wfile.write(data[start:end + 1])


class RangeServer:
    """Serves `root` on 127.0.0.1 (a free port) in a thread; `with RangeServer(root) as server: server.url`."""

    def __init__(self, root, port=0):
        handler = type("Handler", (_Handler,), {"root": pathlib.Path(root).resolve(), "log": []})
        self.requests = handler.log
        self.server = _Server(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
