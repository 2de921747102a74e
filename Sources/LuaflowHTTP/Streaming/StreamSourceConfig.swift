import Foundation
import LuaflowCore

/// The settings `source.sse` and `source.websocket` share, read from the node's checked config:
/// the URL, a session for auth, headers, timeouts and TLS, and the node's `lifetime`,
/// `max_items` (with `--limit`) and `batch_size`.
struct StreamSourceConfig {
    let object: [String: Any]
    let url: String
    let session: HTTPSession
    let stream: String
    let maxItems: Int?
    let lifetime: Double?
    let batchSize: Int
    let maxReconnects: Int

    init(_ node: BuiltinNode, runtime: HTTPRuntime) throws {
        let object = (try? JSONSerialization.jsonObject(with: Data(node.configJSON))) as? [String: Any] ?? [:]
        self.object = object
        url = object["url"] as? String ?? ""
        HTTPSessionConfig.credentials(inNodeConfig: node.configJSON).forEach(Redactor.shared.add)
        URLRedactor.secrets(in: url).forEach(Redactor.shared.add)
        var sessionSettings: [String: Any] = [:]
        for key in ["headers", "auth", "timeout", "insecure"] { sessionSettings[key] = object[key] }
        do {
            let data = try JSONSerialization.data(withJSONObject: sessionSettings)
            var logger = runtime.logger
            logger[metadataKey: "node"] = "\(node.spec.name)"
            session = try HTTPSession(config: .decode(json: data), runtime: runtime, logger: logger, node: node.spec.name)
        } catch let error as HTTPError {
            throw PipelineError(.config, node: node.spec.name, phase: "config", "\(node.declaredAt): \(error)")
        }
        stream = object["stream"] as? String ?? ""
        maxItems = [node.spec.options.maxItems, node.limit].compactMap { $0 }.min()
        lifetime = node.spec.options.lifetime
        batchSize = max(1, node.spec.options.batchSize ?? 1000)
        maxReconnects = (object["max_reconnects"] as? NSNumber)?.intValue ?? 10
    }

    /// Adds the session's requests, reconnects and failures since `before` to the node's counters.
    func count(since before: HTTPMetrics.Snapshot, into stats: NodeStats) {
        let after = session.metrics.snapshot
        stats.update {
            $0.requests += after.requests - before.requests
            $0.retries += after.retries - before.retries
            $0.requestFailures += after.failures - before.failures
        }
    }

    /// The error a source raises for `error`, naming the node (secrets redacted).
    func failure(_ error: Error, node: BuiltinNode) -> PipelineError {
        if let failure = error as? PipelineError { return failure }
        let text = (error as? HTTPError)?.description ?? "\(error)"
        let errorClass = (error as? HTTPError)?.errorClass
        return PipelineError(.runtime, node: node.spec.name, phase: "run",
                             Redactor.shared.redact((errorClass.map { "\($0.tag) " } ?? "") + text + " (\(node.spec.what) declared at \(node.declaredAt))"))
    }
}
