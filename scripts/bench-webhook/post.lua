-- wrk script of scripts/bench webhook: POSTs signed JSON events, each with its own delivery id
-- (thread-counter), signed with HMAC-SHA256 of $HOOK_SECRET through libcrypto (LuaJIT FFI), and
-- writes the delivery ids the receiver acknowledged (2xx; the answer names them) to
-- $BENCH_ACKED/acked-<thread>.txt.
local ffi = require "ffi"
ffi.cdef [[
unsigned char *HMAC(const void *evp_md, const void *key, int key_len, const unsigned char *d, size_t n,
                    unsigned char *md, unsigned int *md_len);
const void *EVP_sha256(void);
]]
local crypto = ffi.load("libcrypto.so.3")
local secret = os.getenv("HOOK_SECRET")
local digest = ffi.new("unsigned char[32]")
local digest_len = ffi.new("unsigned int[1]")

local function sign(body)
  crypto.HMAC(crypto.EVP_sha256(), secret, #secret, body, #body, digest, digest_len)
  local hex = {}
  for i = 0, 31 do hex[i + 1] = string.format("%02x", digest[i]) end
  return "sha256=" .. table.concat(hex)
end

local count = 0
function setup(thread)
  count = count + 1
  thread:set("tid", count)
end

local sent, acked = 0, nil
function init()
  acked = assert(io.open(os.getenv("BENCH_ACKED") .. "/acked-" .. tid .. ".txt", "w"))
end

function request()
  sent = sent + 1
  local id = tid .. "-" .. sent
  local body = '{"id":"' .. id .. '","type":"order.created","amount":' .. (sent % 997) .. ',"currency":"EUR"}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["X-Signature"] = sign(body),
                                   ["X-Delivery-Id"] = id }, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    local id = body:match('"delivery":"([^"]+)"')
    if id then acked:write(id, "\n") end
  end
end
