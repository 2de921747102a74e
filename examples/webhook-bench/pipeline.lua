-- The webhook benchmark job (scripts/bench webhook): receive signed JSON events and write them as
-- JSON Lines files rotated every 10 s; each sender is answered once its event is committed. The
-- bench sets the address, the output path and the state store with --set and --state.
local hooks = source.webhook {
  name = "hooks",
  listen = "127.0.0.1:8080",
  path = "/hooks/orders",
  verify = { hmac = "sha256", header = "X-Signature", secret = "env:HOOK_SECRET", prefix = "sha256=" },
  dedupe_header = "X-Delivery-Id",
}
local out = sink.file { name = "out", path = "out/events-{time}.jsonl", rotate = { every = "10s" } }

network { { hooks, out } }
