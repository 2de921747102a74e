#!/usr/bin/env python3
"""The baseline of scripts/bench webhook: a minimal webhook receiver on the standard library's
http.server (a thread per connection). It checks the HMAC-SHA256 signature (constant-time), and
appends each event as one JSON line to OUT, fsynced before it answers 200 (the guarantee luaflow's
ack = "committed" gives), naming the delivery it acknowledges.

    HOOK_SECRET=... receiver.py PORT OUT
"""
import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, out_path = int(sys.argv[1]), sys.argv[2]
secret = os.environ["HOOK_SECRET"].encode()
lock = threading.Lock()
out = open(out_path, "ab")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length > 1 << 20:
            self.close_connection = True
            return self.answer(413, {"error": "too large"})
        body = self.rfile.read(length)
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Signature", "")):
            return self.answer(401, {"error": "bad signature"})
        try:
            event = json.loads(body)
        except ValueError:
            return self.answer(400, {"error": "not JSON"})
        line = json.dumps(event, separators=(",", ":")).encode() + b"\n"
        with lock:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())
        self.answer(200, {"status": "committed", "delivery": self.headers.get("X-Delivery-Id", "")})

    def answer(self, status, payload):
        body = json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
