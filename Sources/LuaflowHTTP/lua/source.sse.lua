-- source.sse: the options of the Server-Sent Events source. Its runtime is Swift
-- (Streaming/SSESourceRuntime.swift); the host validates a node's config against this schema,
-- with the `http` module's shared option schemas in scope.
schema = {
  url            = { type = "url", required = true, description = "the event stream's URL" },
  headers        = http.schema.session.headers,
  auth           = http.schema.auth,
  events         = { type = "array", items = { type = "string" }, description = "emit only events of these types (default: every type)" },
  timeout        = http.schema.timeout,
  insecure       = http.schema.session.insecure,
  max_reconnects = { type = "integer", min = 0, default = 10, description = "reconnects in a row without an event before the source fails" },
  max_event_bytes = { type = "integer", min = 1, max = 1073741824, default = 16777216,
                      description = "the most one event may hold (its lines until the blank line that ends it); a larger one fails the source" },
}
