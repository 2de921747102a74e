-- source.websocket: the options of the WebSocket source. Its runtime is Swift
-- (Streaming/WebSocketSourceRuntime.swift); the host validates a node's config against this
-- schema, with the `http` module's shared option schemas in scope.
schema = {
  url            = { type = "string", required = true, pattern = "^wss?://[^%s/?#]+[^%s]*$", description = "the ws:// or wss:// URL" },
  headers        = http.schema.session.headers,
  auth           = http.schema.auth,
  subscribe      = { type = "array", items = { any_of = { { type = "string" }, { type = "table" } } },
                     description = "messages sent after every connect (tables as JSON)" },
  cursor         = { type = "table", description = "resume from the last message: its `field` is sent back as the query parameter `param`",
    fields = {
      field = { type = "string", required = true, description = "the message field holding the position, e.g. time_us" },
      param = { type = "string", default = "cursor", description = "the query parameter it is sent as on connect" },
    } },
  ping           = { type = "number", min = 0, default = 20, description = "seconds between pings (0: none)" },
  ping_timeout   = { type = "number", exclusive_min = 0, default = 10, description = "seconds a pong may take before the connection counts as dead" },
  timeout        = http.schema.timeout,
  insecure       = http.schema.session.insecure,
  max_reconnects = { type = "integer", min = 0, default = 10, description = "reconnects in a row without a message before the source fails" },
  max_message_bytes = { type = "integer", min = 1, max = 1073741824, default = 16777216,
                        description = "the most one message may hold, all its fragments together; a larger one fails the source" },
}
