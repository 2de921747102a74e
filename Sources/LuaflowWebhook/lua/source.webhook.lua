-- source.webhook is written in Swift (LuaflowWebhook, WebhookSourceRuntime); this is its config
-- schema, checked when the node loads and shown by `luaflow check --options` and `luaflow spec`.
local size = { { type = "integer", min = 1 }, { type = "string", pattern = "^%s*%d+%.?%d*%s*[KkMmGg]?[Bb]%s*$" } }
schema = {
  listen = { type = "string", required = true, pattern = "^%[?[%w%.%-:]+%]?:%d+$",
             description = 'the one address to listen on, "host:port", e.g. "127.0.0.1:8080" (port 0: any free port)' },
  path = { type = "string", default = "/", pattern = "^/",
           description = "the URL path senders POST to; other paths get 404" },
  verify = { type = "table", description = "check each request's signature (HMAC); 401 when it does not match or, for the timestamped schemes, is stale",
             fields = {
               scheme = { type = "enum", values = { "hmac", "standard_webhooks", "stripe" }, default = "hmac",
                          description = "hmac: an HMAC of the body in `header` (stops tampering, not replays); standard_webhooks: webhook-id, webhook-timestamp and webhook-signature (Svix); stripe: Stripe-Signature" },
               hmac = { type = "enum", values = { "sha256", "sha512", "sha1" }, default = "sha256", description = "scheme hmac: the hash" },
               header = { type = "string", description = 'scheme hmac (required): the header carrying the signature, e.g. "X-Signature"' },
               secret = { type = "secret", required = true, min_length = 1, description = 'the shared secret, e.g. "env:HOOK_SECRET" (standard_webhooks: whsec_ and base64)' },
               prefix = { type = "string", default = "", description = 'scheme hmac: text before the hex digest, e.g. "sha256="' },
               tolerance = { type = "integer", min = 1, max = 86400, default = 300,
                             description = "standard_webhooks and stripe: seconds a signed timestamp may be away from now; older (or later) ones get 401" },
             } },
  dedupe_header = { type = "string",
                    description = "a header naming each delivery: one seen before is answered 200 and not recorded again, across runs" },
  dedupe_window = { type = "integer", min = 1, max = 100000, default = 1000,
                    description = "the newest delivery ids remembered (kept with every checkpoint)" },
  max_body = { any_of = size, default = "1MB", description = 'largest request body, e.g. "1MB"; larger ones get 413' },
  max_pending = { type = "integer", min = 1, default = 10000,
                  description = "requests received but not yet handed to the pipeline (and 64 MB); beyond it 503 with Retry-After" },
  retry_after = { type = "integer", min = 1, default = 1, description = "seconds in the Retry-After header of a 503" },
  ack = { type = "enum", values = { "committed", "accepted" }, default = "committed",
          description = "answer 2xx once the checkpoint covering the record is committed (survives kill -9), or once it is received (may be lost)" },
}
