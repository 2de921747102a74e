-- The latency case of scripts/bench http: an API that answers each page after 50 ms, its pages
-- addressed up front (page numbers and a page count), at most 150 requests a second. The bench
-- sets the address and compares --set pages.concurrency=8 with 1.
local pages = source.http {
  name = "pages",
  base_url = "http://127.0.0.1:8080",
  path = "/pages",
  paginator = { type = "page", page_param = "page", total_pages_path = "pages" },
  records_path = "data",
  rate_limit = { requests = 150, per = 1, strategy = "sliding_window" },
}
local out = sink.file { name = "out", path = "out/pages.jsonl" }

network { { pages, out } }
