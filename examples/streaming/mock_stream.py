#!/usr/bin/env python3
"""A local feed for the streaming example: Server-Sent Events and a WebSocket, standard library only.

    python3 examples/streaming/mock_stream.py        # port 8789
    python3 examples/streaming/mock_stream.py 0      # a free port (printed on standard error)

GET /events  text/event-stream: event `tick` with id N and data {"n": N, "price": ...}, one every
             20 ms, N = 1..1000; a reconnect with Last-Event-ID: K continues at K+1.
GET /ws      WebSocket: text messages {"seq": N, "price": ...}, one every 20 ms, N = 1..1000; with
             ?cursor=K it continues at K+1 (as Bluesky's Jetstream does with `cursor`). Pings are
             answered with pongs; a close frame ends the connection.

Prices are a function of N, so every run and every reconnect sees the same value for the same N.
"""
import base64
import hashlib
import json
import select
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOTAL = 1000
INTERVAL = 0.02
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def price(n):
    return round(100 + (n * 37 % 200) / 10, 2)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/events":
            self.serve_events()
        elif url.path == "/ws":
            self.serve_websocket(parse_qs(url.query))
        else:
            body = b"the mock serves /events (SSE) and /ws (WebSocket)\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def serve_events(self):
        start = int(self.headers.get("Last-Event-ID") or 0) + 1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 500\n: the mock's ticks\n\n")
            for n in range(start, TOTAL + 1):
                data = json.dumps({"n": n, "price": price(n)})
                self.wfile.write(f"id: {n}\nevent: tick\ndata: {data}\n\n".encode())
                self.wfile.flush()
                time.sleep(INTERVAL)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def serve_websocket(self, query):
        key = self.headers.get("Sec-WebSocket-Key")
        if self.headers.get("Upgrade", "").lower() != "websocket" or not key:
            self.send_error(400, "expected a WebSocket upgrade")
            return
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        start = int((query.get("cursor") or ["0"])[0]) + 1
        sock = self.connection
        try:
            for n in range(start, TOTAL + 1):
                if not self.answer_client(sock):
                    break
                send_frame(sock, 0x1, json.dumps({"seq": n, "price": price(n)}).encode())
                time.sleep(INTERVAL)
            else:
                send_frame(sock, 0x8, struct.pack("!H", 1000))
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        self.close_connection = True

    def answer_client(self, sock):
        """Reads the client's waiting frames: a ping gets its pong; False once it closed."""
        while select.select([sock], [], [], 0)[0]:
            frame = read_frame(sock)
            if frame is None:
                return False
            opcode, payload = frame
            if opcode == 0x9:
                send_frame(sock, 0xA, payload)
            elif opcode == 0x8:
                send_frame(sock, 0x8, payload[:2])
                return False
        return True

    def log_message(self, fmt, *args):
        sys.stderr.write("mock_stream: " + (fmt % args) + "\n")


def send_frame(sock, opcode, payload):
    header = bytes([0x80 | opcode])
    if len(payload) < 126:
        header += bytes([len(payload)])
    elif len(payload) < 1 << 16:
        header += bytes([126]) + struct.pack("!H", len(payload))
    else:
        header += bytes([127]) + struct.pack("!Q", len(payload))
    sock.sendall(header + payload)


def read_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(sock):
    """One frame from the client (always masked): (opcode, payload), or None when it hung up."""
    head = read_exactly(sock, 2)
    if head is None:
        return None
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exactly(sock, 2) or b"\0\0")[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exactly(sock, 8) or b"\0" * 8)[0]
    mask = read_exactly(sock, 4) if head[1] & 0x80 else b"\0\0\0\0"
    payload = read_exactly(sock, length) if length else b""
    if mask is None or payload is None:
        return None
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8789
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"streaming mock on http://127.0.0.1:{server.server_port} (SSE /events, WebSocket /ws; Ctrl-C stops it)",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
