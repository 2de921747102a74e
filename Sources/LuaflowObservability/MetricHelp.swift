/// The `# HELP` text of every metric luaflow exports (docs/observability.md has the same list, with
/// labels; a test keeps the two in step).
enum MetricHelp {
    static let text: [String: String] = [
        "luaflow_node_records_in_total": "Records the node received.",
        "luaflow_node_records_out_total": "Records the node sent on.",
        "luaflow_node_records_dropped_total": "Records a transform dropped.",
        "luaflow_node_errors_total": "Records that failed under on_error skip or dead_letter.",
        "luaflow_node_dead_lettered_total": "Failed records written to the node's dead-letter file.",
        "luaflow_node_batches_total": "Batches a source sent, or a transform or sink took from its input queue.",
        "luaflow_node_queue_depth": "Batches waiting in the node's input queue.",
        "luaflow_node_queue_blocked_seconds_total": "Seconds upstream nodes waited because this node's input queue was full.",
        "luaflow_node_bytes_read_total": "Bytes of its input file a source.file has read.",
        "luaflow_node_bytes_written_total": "Bytes a sink.file wrote in this run.",
        "luaflow_node_lua_memory_bytes": "Bytes the node's Lua state holds.",
        "luaflow_node_lua_instructions_total": "Lua instructions the node's state ran, in steps of 10,000.",
        "luaflow_node_http_requests_total": "HTTP requests the node sent, every attempt and redirect hop.",
        "luaflow_node_http_retries_total": "HTTP attempts of the node that were retries.",
        "luaflow_node_http_failures_total": "HTTP requests of the node that failed for good, after retries.",
        "luaflow_http_requests_total": "HTTP attempts by host and outcome.",
        "luaflow_http_request_duration_seconds": "Time of each HTTP attempt, from sending to the whole body received.",
        "luaflow_http_retries_total": "HTTP retries by host, including OAuth2 token renewals after a 401.",
        "luaflow_http_rate_limit_waits_total": "HTTP requests that waited for the rate limiter.",
        "luaflow_http_rate_limit_wait_seconds_total": "Seconds HTTP requests spent waiting for the rate limiter.",
        "luaflow_http_response_bytes_total": "HTTP response body bytes received, after decompression.",
        "luaflow_checkpoints_committed_total": "Checkpoints of the source committed to the state store.",
        "luaflow_checkpoint_lag_seconds": "Seconds from the source emitting its last committed checkpoint to the store committing it.",
        "luaflow_run_start_time_seconds": "When the run started (Unix time).",
        "luaflow_run_end_time_seconds": "When the run ended (Unix time).",
        "luaflow_run_duration_seconds": "Seconds the run took.",
        "luaflow_run_outcome": "1 for the run's current outcome, 0 for the others.",
        "luaflow_run_resumed": "1 when the run resumed an unfinished one.",
    ]

    /// The help of metric family `name`: its entry, or for a script's series what recorded it.
    static func help(for name: String) -> String? {
        if let help = text[name] { return help }
        guard name.hasPrefix("luaflow_script_") else { return nil }
        return "Recorded by a node's script with the metrics module (metrics.\(name.hasSuffix("_total") ? "counter" : "gauge, histogram or timer"))."
    }
}
