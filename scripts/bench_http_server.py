#!/usr/bin/env python3
"""Local API for scripts/bench http: serves the records of a JSON Lines file with cursor pagination.

    bench_http_server.py RECORDS.jsonl PAGE_SIZE

Listens on 127.0.0.1 (a free port, printed as the first line of stdout) and answers
GET /users?cursor=N with {"data": [...PAGE_SIZE records...], "next_cursor": "N+1" | null}.
Pages are rendered once at start-up so the server is not what the benchmark measures."""
import sys
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
        url = urlparse(self.path)
        if url.path != "/users":
            self.send_error(404)
            return
        cursor = int(parse_qs(url.query).get("cursor", ["0"])[0])
        body = self.server.pages[cursor] if cursor < len(self.server.pages) else b'{"data":[],"next_cursor":null}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.pages = render_pages(sys.argv[1], int(sys.argv[2]))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
