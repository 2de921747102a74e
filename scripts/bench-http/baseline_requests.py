#!/usr/bin/env python3
"""The HTTP benchmark job as a plain Python `requests` loop: baseline_requests.py BASE_URL OUT.jsonl

Pages through BASE_URL/users with its cursor and writes every record as a JSON line, the way a
hand-written script would; failed requests (500, 502, 503) are retried by urllib3's
`Retry(backoff_factor=0.1)`, the usual setting."""
import json
import sys

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def main():
    base, out_path = sys.argv[1], sys.argv[2]
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=Retry(total=5, backoff_factor=0.1, status_forcelist=[500, 502, 503])))
    cursor = None
    with open(out_path, "w") as out:
        while True:
            params = {"cursor": cursor} if cursor is not None else {}
            response = session.get(base + "/users", params=params, timeout=30)
            response.raise_for_status()
            body = response.json()
            for record in body["data"]:
                out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            cursor = body.get("next_cursor")
            if cursor is None:
                break


if __name__ == "__main__":
    main()
