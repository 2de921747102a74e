#!/usr/bin/env python3
"""Static cursor feed for nginx: make_feed.py RECORDS.jsonl PAGE_SIZE DIR

Writes DIR/p.json (the first page) and DIR/p<N>.json, each {"data": [...], "next_cursor": "N+1" | null},
so that nginx answers GET /users?cursor=N from DIR/p$arg_cursor.json with no code in the way."""
import os
import sys


def main():
    path, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    with open(path, "rb") as f:
        lines = [line.rstrip(b"\n") for line in f if line.strip()]
    chunks = [lines[i:i + size] for i in range(0, len(lines), size)]
    for n, chunk in enumerate(chunks):
        nxt = b'"%d"' % (n + 1) if n + 1 < len(chunks) else b"null"
        name = "p.json" if n == 0 else "p%d.json" % n
        with open(os.path.join(out, name), "wb") as page:
            page.write(b'{"data":[' + b",".join(chunk) + b'],"next_cursor":' + nxt + b"}")


if __name__ == "__main__":
    main()
