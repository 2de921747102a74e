#!/usr/bin/env python3
"""A stand-in for a GitHub-like REST API, for examples/github-like and the tests of source.http's
resources. Run it, then the pipeline:

    python3 examples/github-like/mock_github.py            # port 8788
    python3 examples/github-like/mock_github.py 0 --delay-ms 20   # a free port, each answer 20 ms late

It listens on 127.0.0.1 only, uses the standard library only, logs one line per request to
stderr, and needs `Authorization: Bearer gh-demo-token` on every endpoint but /_mock/*.

    GET  /orgs/acme/repos?per_page=&page=                      repositories; Link: <...>; rel="next"
    GET  /repos/acme/<repo>/issues?since=&per_page=&page=      issues by updated_at, oldest first;
                                                               since is inclusive, as GitHub's is
    GET  /repos/acme/<repo>/issues/<n>/comments?since=&...     the issue's comments, the same way
    GET  /repos/acme/legacy/issues                             410: issues are disabled there
    GET  /rate_limited?tag=                                    403 "API rate limit exceeded" on the
                                                               first call per tag, then 200
    GET  /events?start_time=&end_time=                         events every 6 hours of 2024-01-01..10,
                                                               those in [start_time, end_time)
    POST /graphql                                              {"variables": {"owner", "name", "first",
                                                               "after"}}: a repository's issues with
                                                               pageInfo { endCursor, hasNextPage }
    POST /_mock/touch?repo=api&number=3                        updates an issue and adds a comment
"""

import json
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "gh-demo-token"
REPOS = ["api", "web", "docs", "legacy"]
ISSUES = {"api": 7, "web": 5, "docs": 3, "legacy": 0}
BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    if len(text) == 10:
        text += "T00:00:00Z"
    return datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z")


class Data:
    lock = threading.Lock()
    issues = {}     # repo -> [issue]
    comments = {}   # (repo, number) -> [comment]
    rate_limited = {}
    touches = 0

    @classmethod
    def build(cls):
        for r, repo in enumerate(REPOS):
            cls.issues[repo] = []
            for n in range(1, ISSUES[repo] + 1):
                # The last two issues of a repository share their updated_at: a boundary that an
                # inclusive `since` returns again on the next run.
                hour = min(n, ISSUES[repo] - 1)
                updated = BASE + timedelta(days=r, hours=hour)
                cls.issues[repo].append({"id": 1000 * (r + 1) + n, "number": n, "title": f"{repo} issue {n}",
                                         "updated_at": stamp(updated)})
                cls.comments[(repo, n)] = [
                    {"id": 100000 * (r + 1) + 100 * n + j, "body": f"comment {j} on {repo}#{n}",
                     "updated_at": stamp(updated + timedelta(minutes=j))} for j in range(1, n % 3 + 1)]


Data.build()


class Handler(BaseHTTPRequestHandler):
    server_version = "GitHubLikeMock/1"
    protocol_version = "HTTP/1.1"
    delay = 0.0

    def send_json(self, status, value, headers=()):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, v in headers:
            self.send_header(name, v)
        self.end_headers()
        self.wfile.write(body)

    def param(self, name, default=None):
        return self.query.get(name, [default])[0]

    def page_of(self, items, path):
        """One page of `items` with GitHub's Link header."""
        size = int(self.param("per_page", "30"))
        page = int(self.param("page", "1"))
        start = (page - 1) * size
        headers = []
        if start + size < len(items):
            query = {k: v[0] for k, v in self.query.items()}
            query["page"] = page + 1
            host = self.headers.get("Host")
            headers.append(("Link", f'<http://{host}{path}?{urlencode(sorted(query.items()))}>; rel="next"'))
        self.send_json(200, items[start:start + size], headers)

    def since(self, items):
        since = self.param("since")
        if since is None:
            return items
        return [i for i in items if parse_time(i["updated_at"]) >= parse_time(since)]

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def dispatch(self, method):
        parts = urlsplit(self.path)
        self.query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        path = parts.path.rstrip("/")
        segments = path.strip("/").split("/")
        if Handler.delay:
            time.sleep(Handler.delay)
        if path == "/_mock/touch" and method == "POST":
            return self.touch()
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.send_json(401, {"message": "Bad credentials"})
        if method == "GET" and path == "/orgs/acme/repos":
            repos = [{"id": i + 1, "name": r, "full_name": f"acme/{r}"} for i, r in enumerate(REPOS)]
            return self.page_of(repos, path)
        if method == "GET" and len(segments) == 4 and segments[:2] == ["repos", "acme"] and segments[3] == "issues":
            repo = segments[2]
            if repo == "legacy":
                return self.send_json(410, {"message": "Issues are disabled for this repo"})
            if repo not in Data.issues:
                return self.send_json(404, {"message": "Not Found"})
            with Data.lock:
                issues = sorted(Data.issues[repo], key=lambda i: (i["updated_at"], i["number"]))
            return self.page_of(self.since(issues), path)
        if method == "GET" and len(segments) == 6 and segments[:2] == ["repos", "acme"] and segments[5] == "comments":
            key = (segments[2], int(segments[4]))
            with Data.lock:
                comments = list(Data.comments.get(key, []))
            return self.page_of(self.since(comments), path)
        if method == "GET" and path == "/rate_limited":
            tag = self.param("tag", "")
            with Data.lock:
                Data.rate_limited[tag] = Data.rate_limited.get(tag, 0) + 1
                first = Data.rate_limited[tag] == 1
            if first:
                return self.send_json(403, {"message": "API rate limit exceeded for 127.0.0.1"})
            return self.send_json(200, [{"id": 1, "tag": tag}])
        if method == "GET" and path == "/events":
            start, end = parse_time(self.param("start_time")), parse_time(self.param("end_time"))
            events = []
            t = BASE
            while t < BASE + timedelta(days=9):
                if start <= t < end:
                    events.append({"id": int((t - BASE).total_seconds() // 3600), "created_at": stamp(t)})
                t += timedelta(hours=6)
            return self.send_json(200, {"events": events})
        if method == "POST" and path == "/graphql":
            return self.graphql()
        self.send_json(404, {"message": "Not Found"})

    def graphql(self):
        variables = json.loads(self.body or b"{}").get("variables", {})
        repo = variables.get("name")
        if variables.get("owner") != "acme" or repo not in Data.issues:
            return self.send_json(200, {"data": {"repository": None}, "errors": [{"message": "Could not resolve to a Repository"}]})
        first = int(variables.get("first", 10))
        after = variables.get("after")
        start = int(after.removeprefix("cursor:")) if after else 0
        issues = Data.issues[repo]
        page = issues[start:start + first]
        end = start + len(page)
        nodes = [{"number": i["number"], "title": i["title"], "updatedAt": i["updated_at"]} for i in page]
        self.send_json(200, {"data": {"repository": {"issues": {
            "nodes": nodes, "pageInfo": {"endCursor": f"cursor:{end}", "hasNextPage": end < len(issues)}}}}})

    def touch(self):
        repo, number = self.param("repo"), int(self.param("number"))
        with Data.lock:
            Data.touches += 1
            latest = max(parse_time(i["updated_at"]) for issues in Data.issues.values() for i in issues)
            updated = latest + timedelta(hours=1)
            issue = next(i for i in Data.issues[repo] if i["number"] == number)
            issue["updated_at"] = stamp(updated)
            comments = Data.comments[(repo, number)]
            comments.append({"id": 900000 + Data.touches, "body": f"new comment {Data.touches}", "updated_at": stamp(updated)})
        self.send_json(200, issue)

    def log_message(self, fmt, *args):
        sys.stderr.write("mock_github: " + (fmt % args) + "\n")


def main():
    args = sys.argv[1:]
    if "--delay-ms" in args:
        i = args.index("--delay-ms")
        Handler.delay = int(args[i + 1]) / 1000
        del args[i:i + 2]
    port = int(args[0]) if args else 8788
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"GitHub-like mock API on http://127.0.0.1:{server.server_port} (Ctrl-C stops it)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
