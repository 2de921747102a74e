#!/usr/bin/env python3
"""A stand-in for the "Acme API v2" that the examples and docs/http.md talk to.

Run it, then run a pipeline against http://127.0.0.1:8787/v2:

    python3 examples/api-reference/mock_api.py            # port 8787
    python3 examples/api-reference/mock_api.py 9000       # another port

It listens on 127.0.0.1 only, uses the standard library only, and logs one line per request to
stderr. Every /v2 endpoint except /v2/oauth/token needs one of the demo credentials:

    X-API-Key: demo-key-8f3a              (or ?api_key=demo-key-8f3a)
    Authorization: Bearer demo-token-41c7  (or a token from /v2/oauth/token)
    Authorization: Basic demo:demo-pass-2e9b

Endpoints, one per pagination style real APIs use:

    GET  /v2/me                                  {"id", "name"}: a cheap call for check()
    GET  /v2/customers?page_size=&cursor=        cursor: {"results", "has_more", "next_cursor", "total"}
                                                 (next_cursor is set on the last page too: stop on has_more)
    GET  /v2/orders?page=&per_page=[&status=]    page number: {"data", "page", "per_page", "total_pages", "total"}
    GET  /v2/products?page_size=&after=          next URL: {"items", "links": {"next": url | null}}
    GET  /v2/invoices?offset=&limit=             offset: {"invoices", "total"}
    GET  /v2/payments?page=&per_page=            Link header: a JSON array, Link: <...>; rel="next"
    GET  /v2/flaky?tag=&fail=2&retry_after=1     429 with Retry-After for the first `fail` calls per tag
    GET  /v2/slow?seconds=2                      answers after that many seconds
    GET  /v2/status/<code>                       that status, with a JSON error body
    GET  /v2/echo                                the request as JSON: method, path, query, headers, body
    POST /v2/events                              batch intake: 503 on the first try of each
                                                 Idempotency-Key, 201 {"accepted": n} on the next
    POST /v2/oauth/token                         OAuth2 client credentials (demo-client /
                                                 demo-client-secret-77aa) -> {"access_token", "expires_in"}

page_size, per_page and limit accept 1 to 250, like many real APIs; anything else is a 400.
"""

import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

API_KEY = "demo-key-8f3a"
TOKEN = "demo-token-41c7"
USERNAME, PASSWORD = "demo", "demo-pass-2e9b"
CLIENT_ID, CLIENT_SECRET = "demo-client", "demo-client-secret-77aa"
MAX_PAGE_SIZE = 250

TOTALS = {"customers": 57, "orders": 23, "products": 31, "invoices": 42, "payments": 12}


def customer(i):
    return {"id": f"cus_{i:04d}", "name": f"Customer {i}", "email": f"customer{i}@example.com"}


def order(i):
    return {"id": 1000 + i, "customer_id": f"cus_{(i - 1) % TOTALS['customers'] + 1:04d}",
            "amount": round(9.5 * i, 2), "status": "paid" if i % 3 else "refunded"}


def product(i):
    return {"id": f"prd_{i:04d}", "name": f"Product {i}", "price": 5 + i}


def invoice(i):
    return {"id": f"inv_{i:04d}", "amount_due": 100 * i, "paid": i % 2 == 0}


def payment(i):
    return {"id": f"pay_{i:04d}", "amount": 25 * i, "currency": "EUR"}


class State:
    lock = threading.Lock()
    flaky_hits = {}       # tag -> requests seen
    intake_tries = {}     # Idempotency-Key -> tries seen
    tokens = set()        # OAuth2 tokens issued
    events_accepted = 0


class Handler(BaseHTTPRequestHandler):
    server_version = "AcmeMock/2"
    protocol_version = "HTTP/1.1"

    # ---- plumbing ----------------------------------------------------------------------------

    def send_json(self, status, value, headers=()):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, v in headers:
            self.send_header(name, v)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, message, headers=()):
        self.send_json(status, {"error": message}, headers)

    def url(self, path, **query):
        host = self.headers.get("Host", f"127.0.0.1:{self.server.server_port}")
        return f"http://{host}{path}?{urlencode(query)}"

    def int_param(self, name, default, low=0, high=None):
        value = self.query.get(name, [str(default)])[0]
        try:
            number = int(value)
        except ValueError:
            raise BadRequest(f"{name} must be an integer, got {value!r}")
        if number < low or (high is not None and number > high):
            raise BadRequest(f"{name} must be between {low} and {high}, got {number}")
        return number

    def page_size(self, name, default=25):
        return self.int_param(name, default, 1, MAX_PAGE_SIZE)

    def authorized(self):
        key = self.headers.get("X-API-Key") or self.query.get("api_key", [None])[0]
        if key == API_KEY:
            return True
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[7:]
            with State.lock:
                return token == TOKEN or token in State.tokens
        if auth.startswith("Basic "):
            try:
                return base64.b64decode(auth[6:]).decode() == f"{USERNAME}:{PASSWORD}"
            except ValueError:
                return False
        return False

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def dispatch(self, method):
        parts = urlsplit(self.path)
        self.query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        route = parts.path.rstrip("/")
        try:
            if route == "/v2/oauth/token" and method == "POST":
                return self.oauth_token()
            if not route.startswith("/v2/"):
                return self.error(404, f"no such endpoint: {parts.path} (the API lives under /v2)")
            if not self.authorized():
                return self.error(401, "unauthorized: send X-API-Key, a Bearer token or Basic credentials",
                                  [("WWW-Authenticate", 'Bearer realm="acme"')])
            name = route[len("/v2/"):]
            if name.startswith("status/"):
                return self.error(int(name[len("status/"):]), "you asked for it")
            handler = {("GET", "me"): self.me, ("GET", "customers"): self.customers,
                       ("GET", "orders"): self.orders, ("GET", "products"): self.products,
                       ("GET", "invoices"): self.invoices, ("GET", "payments"): self.payments,
                       ("GET", "flaky"): self.flaky, ("GET", "slow"): self.slow, ("GET", "echo"): self.echo,
                       ("POST", "echo"): self.echo, ("POST", "events"): self.events}.get((method, name))
            if handler is None:
                return self.error(404, f"no such endpoint: {method} {parts.path}")
            handler()
        except BadRequest as problem:
            self.error(400, str(problem))

    # ---- endpoints ---------------------------------------------------------------------------

    def me(self):
        self.send_json(200, {"id": "acct_demo", "name": "Demo account"})

    def customers(self):
        size = self.page_size("page_size")
        cursor = self.query.get("cursor", ["cus_0000"])[0]
        try:
            start = int(cursor.removeprefix("cus_"))
        except ValueError:
            raise BadRequest(f"invalid cursor {cursor!r}")
        total = TOTALS["customers"]
        end = min(total, start + size)
        has_more = end < total
        # Like Stripe: next_cursor names the last record of the page, even on the last page; only
        # has_more says whether there is more.
        self.send_json(200, {"results": [customer(i) for i in range(start + 1, end + 1)], "has_more": has_more,
                             "next_cursor": f"cus_{end:04d}" if end > start else None, "total": total})

    def orders(self):
        page, size = self.int_param("page", 1, 1), self.page_size("per_page")
        status = self.query.get("status", [None])[0]          # optional filter: paid or refunded
        matching = [o for o in map(order, range(1, TOTALS["orders"] + 1)) if status in (None, o["status"])]
        start = (page - 1) * size
        self.send_json(200, {"data": matching[start:start + size], "page": page, "per_page": size,
                             "total_pages": (len(matching) + size - 1) // size, "total": len(matching)})

    def products(self):
        size = self.page_size("page_size")
        after = self.query.get("after", ["prd_0000"])[0]
        start = int(after.removeprefix("prd_"))
        end = min(TOTALS["products"], start + size)
        more = end < TOTALS["products"]
        self.send_json(200, {"items": [product(i) for i in range(start + 1, end + 1)],
                             "links": {"next": self.url("/v2/products", page_size=size, after=f"prd_{end:04d}")
                                       if more else None}})

    def invoices(self):
        offset, limit = self.int_param("offset", 0), self.page_size("limit")
        total = TOTALS["invoices"]
        self.send_json(200, {"invoices": [invoice(i) for i in range(offset + 1, min(total, offset + limit) + 1)],
                             "total": total})

    def payments(self):
        page, size = self.int_param("page", 1, 1), self.page_size("per_page", 5)
        total = TOTALS["payments"]
        last = max(1, (total + size - 1) // size)
        links = [f'<{self.url("/v2/payments", page=1, per_page=size)}>; rel="first"',
                 f'<{self.url("/v2/payments", page=last, per_page=size)}>; rel="last"']
        if page < last:
            links.append(f'<{self.url("/v2/payments", page=page + 1, per_page=size)}>; rel="next"')
        start = (page - 1) * size
        self.send_json(200, [payment(i) for i in range(start + 1, min(total, start + size) + 1)],
                       [("Link", ", ".join(links))])

    def flaky(self):
        tag = self.query.get("tag", [""])[0]
        fail = self.int_param("fail", 2)
        with State.lock:
            State.flaky_hits[tag] = State.flaky_hits.get(tag, 0) + 1
            attempt = State.flaky_hits[tag]
        if attempt <= fail:
            return self.error(429, "slow down", [("Retry-After", self.query.get("retry_after", ["1"])[0])])
        self.send_json(200, {"ok": True, "attempt": attempt})

    def slow(self):
        seconds = self.int_param("seconds", 2, 0, 60)
        time.sleep(seconds)
        self.send_json(200, {"ok": True, "slept": seconds})

    def echo(self):
        self.send_json(200, {"method": self.command, "path": urlsplit(self.path).path,
                             "query": {k: v[0] for k, v in self.query.items()},
                             "headers": {k.lower(): v for k, v in self.headers.items()},
                             "body": self.body.decode("utf-8", "replace")})

    def events(self):
        key = self.headers.get("Idempotency-Key")
        tries = 1
        if key:  # without a key every try looks like a first try, so a plain POST never gets through
            with State.lock:
                tries = State.intake_tries[key] = State.intake_tries.get(key, 0) + 1
        if tries == 1:
            return self.error(503, "intake busy, try again")
        try:
            batch = json.loads(self.body)
        except ValueError:
            raise BadRequest("the body must be a JSON array of events")
        if not isinstance(batch, list):
            raise BadRequest("the body must be a JSON array of events")
        with State.lock:
            State.events_accepted += len(batch)
        self.send_json(201, {"accepted": len(batch), "idempotency_key": key, "try": tries})

    def oauth_token(self):
        form = parse_qs(self.body.decode())
        client_id, secret = form.get("client_id", [None])[0], form.get("client_secret", [None])[0]
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if form.get("grant_type", [None])[0] != "client_credentials":
            return self.error(400, "unsupported_grant_type")
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return self.error(401, "invalid_client")
        with State.lock:
            token = f"oauth-token-{len(State.tokens) + 1:04d}"
            State.tokens.add(token)
        self.send_json(200, {"access_token": token, "token_type": "bearer", "expires_in": 3600})

    def log_message(self, fmt, *args):
        sys.stderr.write("mock_api: " + (fmt % args) + "\n")


class BadRequest(Exception):
    pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8787
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"Acme mock API on http://127.0.0.1:{server.server_port}/v2 (Ctrl-C stops it)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
