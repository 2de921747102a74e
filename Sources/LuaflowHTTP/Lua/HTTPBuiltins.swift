/// `source.http` and `sink.http`: REST endpoints with no Lua of the user's own, written in Lua on
/// top of the `http` module so they run through the same machinery as user scripts.
enum HTTPBuiltins {
    /// Pages through an endpoint with a host-side paginator and emits the records of each page.
    static let source = #"""
    schema = {
      base_url     = { type = "url", required = true, description = "the API's base URL" },
      path         = { type = "string", default = "", description = "endpoint path, joined to base_url" },
      params       = { type = "table", description = "query parameters sent with every page" },
      headers      = { type = "table" },
      auth         = { type = "table", description = "api_key / bearer / basic / oauth2, as in http.session" },
      paginator    = { type = "table", description = "{ type = cursor | offset | page | next_url | link_header, ... }" },
      records_path = { type = "string", description = "where the records are in each page's body, e.g. data.items" },
      retry        = { type = "table" },
      rate_limit   = { type = "table" },
      timeout      = { type = "any" },
      insecure     = { type = "boolean", default = false },
    }

    local pages

    function init()
      local session = http.session {
        base_url = config.base_url, headers = config.headers, auth = config.auth, retry = config.retry,
        rate_limit = config.rate_limit, timeout = config.timeout, insecure = config.insecure,
      }
      pages = session:paginate {
        path = config.path, query = config.params, paginator = config.paginator, records_path = config.records_path,
      }
    end

    function get(pagination)
      local page = pages()
      if page == nil then return nil, nil end
      return page.records, { page = page.number }
    end
    """#

    /// Posts records as JSON arrays of `batch_size`; each batch carries one Idempotency-Key that
    /// stays the same across its retries, so a retried POST is safe.
    static let sink = #"""
    schema = {
      url        = { type = "url", required = true, description = "where batches are sent" },
      method     = { type = "enum", values = { "POST", "PUT", "PATCH" }, default = "POST" },
      headers    = { type = "table" },
      auth       = { type = "table" },
      retry      = { type = "table" },
      rate_limit = { type = "table" },
      timeout    = { type = "any" },
      insecure   = { type = "boolean", default = false },
    }

    local session

    function init()
      session = http.session {
        headers = config.headers, auth = config.auth, retry = config.retry, rate_limit = config.rate_limit,
        timeout = config.timeout, insecure = config.insecure,
      }
    end

    function write(batch)
      session:request(config.method, config.url, {
        json = json.array(batch),
        headers = { ["Idempotency-Key"] = http.idempotency_key() },
      })
    end
    """#
}
