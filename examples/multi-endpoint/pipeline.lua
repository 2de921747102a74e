-- Two streams of one connector, side by side: customers and invoices from the Acme API, each
-- into its own file. The two sources run at the same time on their own threads and share the
-- host's rate limit.
--
-- As shipped it talks to the mock API of the api-reference example:
--   python3 ../api-reference/mock_api.py &
--   ACME_TOKEN=demo-token-41c7 luaflow run pipeline.lua
local common = {
  base_url = "http://127.0.0.1:8787/v2",   -- your API's root; --set customers.base_url=... per node
  page_size = 100,
  -- token: from the environment variable ACME_TOKEN
}

-- A copy of `common` with the stream's own settings added.
local function with(settings)
  local cfg = {}
  for k, v in pairs(common) do cfg[k] = v end
  for k, v in pairs(settings) do cfg[k] = v end
  return cfg
end

local customers = source("connectors/acme.lua", with { name = "customers", stream = "customers" })
local invoices  = source("connectors/acme.lua", with { name = "invoices", stream = "invoices" })

network {
  { customers, sink.file { path = "out/customers.jsonl" } },
  { invoices,  sink.file { path = "out/invoices.jsonl" } },
}
