#!/usr/bin/env python3
"""Local API for scripts/bench http: serves the records of a JSON Lines file with cursor pagination.

    api_server.py RECORDS.jsonl PAGE_SIZE [--fail-rate R] [--delay S]

Listens on 127.0.0.1 (a free port, printed as the first line of stdout) and answers
GET /users?cursor=N with {"data": [...PAGE_SIZE records...], "next_cursor": "N+1" | null}.
Pages are rendered once at start-up so the server is not what the benchmark measures.
--fail-rate R: a fixed fraction R of the pages (chosen by a hash of their number) fail once, with
500, 502 or 503, before they are served. --delay S: every answer waits S seconds (latency)."""
import argparse
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

    def do_GET(self):
        server = self.server
        url = urlparse(self.path)
        if url.path != "/users":
            self.send_error(404)
            return
        if server.delay:
            time.sleep(server.delay)
        cursor = int(parse_qs(url.query).get("cursor", ["0"])[0])
        with server.lock:
            fail = cursor in server.failing and cursor not in server.failed
            server.failed.add(cursor) if fail else None
        if fail:
            self.send_response((500, 502, 503)[cursor % 3])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = server.pages[cursor] if cursor < len(server.pages) else b'{"data":[],"next_cursor":null}'
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
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
