#!/usr/bin/env python3
"""Local API for scripts/bench http: serves the records of a JSON Lines file with cursor pagination.

    api_server.py RECORDS.jsonl PAGE_SIZE [--fail-rate R] [--delay S]

Listens on 127.0.0.1 (a free port, printed as the first line of stdout) and answers
GET /users?cursor=N with {"data": [...PAGE_SIZE records...], "next_cursor": "N+1" | null}, and
GET /pages?page=N (N from 1) with {"data": [...], "pages": P}: pages a client can address up front.
GET /stats answers {"requests": n, "max_per_second": m}: the most requests that arrived in any
window of one second (the rate limit as the server saw it).
Pages are rendered once at start-up so the server is not what the benchmark measures.
--fail-rate R: a fixed fraction R of the pages (chosen by a hash of their number) fail once, with
500, 502 or 503, before they are served. --delay S: every answer waits S seconds (latency)."""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def render_pages(path, size):
    with open(path, "rb") as f:
        lines = [line.rstrip(b"\n") for line in f if line.strip()]
    chunks = [lines[i:i + size] for i in range(0, len(lines), size)]
    pages = []
    for n, chunk in enumerate(chunks):
        nxt = b'"%d"' % (n + 1) if n + 1 < len(chunks) else b"null"
        pages.append(b'{"data":[' + b",".join(chunk) + b'],"next_cursor":' + nxt + b"}")
    return pages


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the
    # body until the client's delayed ACK, 40 ms per response whatever the client does.
    disable_nagle_algorithm = True

    def do_GET(self):
        server = self.server
        url = urlparse(self.path)
        if url.path == "/stats":
            self.answer(json.dumps(server.stats()).encode())
            return
        if url.path not in ("/users", "/pages"):
            self.send_error(404)
            return
        with server.lock:
            server.arrivals.append(time.monotonic())
        if server.delay:
            time.sleep(server.delay)
        if url.path == "/pages":
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            rendered = server.pages[page - 1] if 1 <= page <= len(server.pages) else None
            data = rendered[:rendered.rindex(b',"next_cursor"')] if rendered else b'{"data":[]'
            self.answer(data + b',"pages":%d}' % len(server.pages))
            return
        cursor = int(parse_qs(url.query).get("cursor", ["0"])[0])
        with server.lock:
            fail = cursor in server.failing and cursor not in server.failed
            server.failed.add(cursor) if fail else None
        if fail:
            self.send_response((500, 502, 503)[cursor % 3])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.answer(server.pages[cursor] if cursor < len(server.pages) else b'{"data":[],"next_cursor":null}')

    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("records")
    parser.add_argument("page_size", type=int)
    parser.add_argument("--fail-rate", type=float, default=0)
    parser.add_argument("--delay", type=float, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.pages = render_pages(args.records, args.page_size)
    server.failing = {n for n in range(len(server.pages)) if (n * 2654435761) % 1000 < args.fail_rate * 1000}
    server.failed = set()
    server.lock = threading.Lock()
    server.delay = args.delay
    server.arrivals = []

    def stats():
        with server.lock:
            times = sorted(server.arrivals)
        most, first = 0, 0
        for last, t in enumerate(times):
            while t - times[first] >= 1.0:
                first += 1
            most = max(most, last - first + 1)
        return {"requests": len(times), "max_per_second": most}

    server.stats = stats
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
