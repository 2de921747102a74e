-- The reference connector, once per stream: customers (cursor pages), orders (page numbers) and
-- products (next URLs), each into its own JSON Lines file under out/.
--
-- As shipped it talks to the mock API (python3 mock_api.py) with its demo key:
--   ACME_API_KEY=demo-key-8f3a luaflow run pipeline.lua
-- For a real API, change BASE_URL (or --set customers.base_url=... per node) and export your
-- own credentials. README.md has the details.
local BASE_URL = "http://127.0.0.1:8787/v2"

local edges = {}
for _, stream in ipairs { "customers", "orders", "products" } do
  local api = source("connectors/reference_api.lua", {
    name = stream,            -- the node name: shows in the summary, logs and --set <name>.key=...
    base_url = BASE_URL,
    stream = stream,
    page_size = 100,
    auth_type = "api_key",    -- the key itself comes from the environment variable ACME_API_KEY
  })
  edges[#edges + 1] = { api, sink.file { path = "out/" .. stream .. ".jsonl" } }
end

network(edges)
