-- Two live feeds from the local mock (mock_stream.py): Server-Sent Events and a WebSocket.
-- Each run takes 25 items of each and ends (exit 0); the next run resumes after the last one
-- committed: the SSE source sends it as Last-Event-ID, the WebSocket source as ?cursor=.
local ticks = source.sse {
  name = "ticks",
  url = "http://127.0.0.1:8789/events",
  events = { "tick" },
  max_items = 25,
}
local trades = source.websocket {
  name = "trades",
  url = "ws://127.0.0.1:8789/ws",
  cursor = { field = "seq", param = "cursor" },
  max_items = 25,
}
network {
  { ticks, sink.file { name = "ticks.jsonl", path = "out/ticks.jsonl" } },
  { trades, sink.file { name = "trades.jsonl", path = "out/trades.jsonl" } },
}
