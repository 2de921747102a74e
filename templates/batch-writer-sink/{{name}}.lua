-- {{name}}: a sink that receives records in batches, the shape bulk-load APIs and databases
-- want. The host collects `batch_size` records (100 unless the node's config says otherwise)
-- and calls write(batch) with them; the last batch may be shorter.
--
-- This template writes each batch as one line of JSON to a file:
--   {"batch":1,"count":100,"records":[...]}
-- Replace the body of write() with your bulk call (a database insert, a bulk API POST...).

schema = {
  path = { type = "path", required = true, description = "the file to write (its directory must exist)" },
}

local file
batches = 0         -- globals, so tests can read them
records = 0

-- init(): opens the file once, before the first batch.
function init()
  file = assert(io.open(config.path, "w"))
end

-- write(batch): a list of records. An error here fails the batch: the run stops, or with
-- on_error = "skip" the whole batch is counted as errors and the run goes on.
function write(batch)
  batches = batches + 1
  records = records + #batch
  file:write(json.encode({ batch = batches, count = #batch, records = json.array(batch) }), "\n")
  file:flush()                                        -- each batch is on disk before the next
end

-- finalize(): called once after the last batch, when the run has not failed.
function finalize()
  file:close()
  log.info("wrote", records, "records in", batches, "batches to", config.path)
end
