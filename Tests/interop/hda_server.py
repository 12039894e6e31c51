"""A small STAC API on loopback that behaves as DestinE's Harmonised Data Access (HDA) documents
its offline data: every request needs `Authorization: Bearer TOKEN`; search results are
placeholder items (`order:status: orderable`, a `retrieve` link with a POST body and no data
assets); POSTing the retrieve link orders the item (answer: the item, `order:status: ordered`);
polling the item's self link gives `ordered` until the order's delay has passed, then
`succeeded` with a `downloadLink` asset on this host (ranged GET/HEAD, ETag), or `failed` with a
message. Search pages are POST then GET (`next` links of both forms). No open server implements
this workflow, hence this one (written for the tests, not a copy of HDA's code).

Knobs (attributes of HDAServer): `delays` (item id → seconds until an order succeeds), `failing`
(item ids whose orders fail), `expire_token_after_search` (the token stops working once a search
has been answered: an expiry mid-run), `orders_as_new_items` (as HDA does for its on-demand
collections: an order makes a new item, `ID.orderN`, polled at its own URL with its own
downloadLink, while searches keep returning the orderable placeholder). `log` records (method,
path, status)."""
import hashlib
import http.server
import itertools
import json
import pathlib
import re
import threading


class _Server(http.server.ThreadingHTTPServer):
    """A threading server with a listen backlog for many concurrent clients (socketserver's 5
    drops connection attempts that then wait for TCP's one-second SYN retransmission)."""
    request_queue_size = 128
    daemon_threads = True
import time
import urllib.parse


class HDAServer:
    def __init__(self, files, items, token, page_size=2):
        """`files`: folder of the data (item id → f"{id}.tif"); `items`: placeholder items (dicts without links)."""
        self.files = pathlib.Path(files)
        self.items = {it["id"]: it for it in items}
        self.order = [it["id"] for it in items]
        self.token = token
        self.page_size = page_size
        self.delays, self.failing = {}, set()
        self.ordered_at = {}
        self.expire_token_after_search = False
        self.orders_as_new_items = False
        self.placed = {}  # order item id → placeholder id (orders_as_new_items)
        self.order_numbers = itertools.count(1)
        self.token_valid = True
        self.log = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server._handle(self, "GET")

            def do_HEAD(self):
                server._handle(self, "HEAD")

            def do_POST(self):
                server._handle(self, "POST")

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    # --- documents -------------------------------------------------------------------------------

    def _item(self, item_id):
        base = self.items[self.placed.get(item_id, item_id)]
        it = json.loads(json.dumps(base))
        it["id"] = item_id
        self_href = f"{self.url}/stac/collections/{it['collection']}/items/{item_id}"
        it["links"] = [{"rel": "self", "href": self_href, "type": "application/geo+json"}]
        status = self._status(item_id)
        it["properties"]["order:status"] = status
        if status == "orderable":
            it["links"].append({"rel": "retrieve", "href": f"{self.url}/stac/dataaccess/order", "method": "POST",
                                "type": "application/json",
                                "body": {"collection": it["collection"], "id": item_id, "format": "GeoTIFF"}})
        if status == "succeeded":
            it["assets"] = {"downloadLink": {"href": f"{self.url}/download/{item_id}.tif",
                                             "type": "image/tiff; application=geotiff", "roles": ["data"]}}
        if status == "failed":
            it["properties"]["order:message"] = "the archive could not restore the product"
        return it

    def _status(self, item_id):
        if item_id not in self.ordered_at or (self.orders_as_new_items and item_id in self.items):
            return "orderable"
        base = self.placed.get(item_id, item_id)
        if base in self.failing:
            return "failed"
        return "succeeded" if time.monotonic() - self.ordered_at[item_id] >= self.delays.get(base, 0) else "ordered"

    def _page(self, body, skip):
        ids = [i for i in self.order if not body.get("ids") or i in body["ids"]]
        ids = [i for i in ids if not body.get("collections") or self.items[i]["collection"] in body["collections"]]
        chunk = ids[skip:skip + self.page_size]
        links = []
        if skip + self.page_size < len(ids):
            query = urllib.parse.urlencode({"skip": skip + self.page_size, "request": json.dumps(body, sort_keys=True)})
            links.append({"rel": "next", "href": f"{self.url}/stac/search?{query}", "method": "GET",
                          "type": "application/geo+json"})
        return {"type": "FeatureCollection", "features": [self._item(i) for i in chunk], "links": links,
                "numberMatched": len(ids)}

    # --- requests --------------------------------------------------------------------------------

    def _reply(self, handler, status, document=None, data=None, headers=(), head=False):
        body = data if data is not None else (json.dumps(document).encode() if document is not None else b"")
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        if document is not None:
            handler.send_header("Content-Type", "application/json")
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        if not head:
            handler.wfile.write(body)
        self.log.append((handler.command, handler.path, status))

    def _handle(self, handler, method):
        path, _, query = handler.path.partition("?")
        if handler.headers.get("Authorization") != f"Bearer {self.token}" or not self.token_valid:
            return self._reply(handler, 401, {"detail": "Invalid or expired token"})
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}") if method == "POST" else {}
        if path == "/stac" and method == "GET":
            return self._reply(handler, 200, {
                "type": "Catalog", "id": "hda", "stac_version": "1.0.0", "description": "HDA-like loopback API",
                "conformsTo": ["https://api.stacspec.org/v1.0.0/item-search"],
                "links": [{"rel": "search", "href": f"{self.url}/stac/search", "method": "POST", "type": "application/geo+json"},
                          {"rel": "search", "href": f"{self.url}/stac/search", "method": "GET", "type": "application/geo+json"}]})
        if path == "/stac/search":
            if method == "GET":
                params = urllib.parse.parse_qs(query)
                body = json.loads(params.get("request", ["{}"])[0])
                skip = int(params.get("skip", ["0"])[0])
            else:
                skip = 0
            page = self._page(body, skip)
            if self.expire_token_after_search and not page["links"]:
                self.token_valid = False
            return self._reply(handler, 200, page)
        if path == "/stac/dataaccess/order" and method == "POST":
            item_id = body.get("id")
            if item_id not in self.items:
                return self._reply(handler, 404, {"detail": f"no item {item_id}"})
            if self.orders_as_new_items:
                order_id = f"{item_id}.order{next(self.order_numbers)}"
                self.placed[order_id] = item_id
                self.ordered_at[order_id] = time.monotonic()
                return self._reply(handler, 202, self._item(order_id))
            self.ordered_at.setdefault(item_id, time.monotonic())
            return self._reply(handler, 202, self._item(item_id))
        match = re.fullmatch(r"/stac/collections/([^/]+)/items/([^/]+)", path)
        if match and (match[2] in self.items or match[2] in self.placed):
            return self._reply(handler, 200, self._item(match[2]))
        match = re.fullmatch(r"/download/([^/]+)\.tif", path)
        if match and (match[1] in self.items or match[1] in self.placed) and self._status(match[1]) == "succeeded":
            data = (self.files / f"{self.placed.get(match[1], match[1])}.tif").read_bytes()
            etag = hashlib.md5(data).hexdigest()
            rng = handler.headers.get("Range")
            if rng:
                m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng)
                start, end = int(m[1]), min(len(data) - 1, int(m[2]) if m[2] else len(data) - 1)
                return self._reply(handler, 206, data=data[start:end + 1], head=method == "HEAD",
                                   headers=[("Content-Range", f"bytes {start}-{end}/{len(data)}"), ("ETag", f'"{etag}"')])
            return self._reply(handler, 200, data=data, head=method == "HEAD", headers=[("ETag", f'"{etag}"')])
        return self._reply(handler, 404, {"detail": f"no such resource {path}"})
