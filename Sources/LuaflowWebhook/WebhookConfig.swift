import Foundation
import LuaflowCore

/// The checked config of `source.webhook` (see `lua/source.webhook.lua`).
struct WebhookConfig {
    /// When a sender gets its 2xx.
    enum Ack: String {
        /// Once the checkpoint covering the record is committed: the record survives a crash.
        case committed
        /// Once the record is received: a crash before the next checkpoint loses it.
        case accepted
    }

    var host: String
    var port: Int
    var path: String
    /// How requests are checked (`verify`); nil: not at all.
    var verifier: WebhookVerifier?
    var dedupeHeader: String?
    var dedupeWindow: Int
    var maxBody: Int
    var maxPending: Int
    var retryAfter: Int
    var ack: Ack

    /// Requests received but not yet handed to the pipeline may hold this many bytes at most.
    static let maxPendingBytes = 64 << 20

    /// Reads the config the schema already checked; throws what the schema cannot say.
    init(_ node: BuiltinNode) throws {
        let object = (try? JSONSerialization.jsonObject(with: Data(node.configJSON))) as? [String: Any] ?? [:]
        func problem(_ text: String) -> PipelineError {
            PipelineError(.config, node: node.spec.name, phase: "config", "source.webhook: \(text) (\(node.declaredAt))")
        }
        let listen = object["listen"] as? String ?? ""
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw problem("listen must be \"host:port\", e.g. \"127.0.0.1:8080\" (got \"\(listen)\")")
        }
        host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
        path = object["path"] as? String ?? "/"
        if let verify = object["verify"] as? [String: Any] {
            verifier = try Self.verifier(verify, problem: problem)
        }
        dedupeHeader = object["dedupe_header"] as? String
        dedupeWindow = (object["dedupe_window"] as? NSNumber)?.intValue ?? 1000
        guard let body = ByteSizeText.bytes(object["max_body"] ?? "1MB"), body <= Int64(Self.maxPendingBytes) else {
            throw problem("max_body must be a size up to 64MB, e.g. \"1MB\"")
        }
        maxBody = Int(body)
        maxPending = (object["max_pending"] as? NSNumber)?.intValue ?? 10000
        retryAfter = (object["retry_after"] as? NSNumber)?.intValue ?? 1
        ack = Ack(rawValue: object["ack"] as? String ?? "committed") ?? .committed
    }

    /// The checked `verify` table as a verifier; throws what its schema cannot say.
    private static func verifier(_ verify: [String: Any], problem: (String) -> PipelineError) throws -> WebhookVerifier {
        let secret = verify["secret"] as? String ?? ""
        let tolerance = (verify["tolerance"] as? NSNumber)?.doubleValue ?? 300
        switch verify["scheme"] as? String ?? "hmac" {
        case "standard_webhooks":
            guard let signature = StandardWebhooksSignature(secret: secret, tolerance: tolerance) else {
                throw problem("verify.secret: the standard_webhooks scheme expects a whsec_ secret: \"whsec_\" and base64 text")
            }
            return .standardWebhooks(signature)
        case "stripe":
            return .stripe(StripeSignature(secret: Array(secret.utf8), tolerance: tolerance))
        default:
            guard let header = verify["header"] as? String else {
                throw problem("verify.header is required with the hmac scheme: the header carrying the signature, e.g. \"X-Signature\"")
            }
            return .hmac(WebhookSignature(hash: WebhookSignature.Hash(rawValue: verify["hmac"] as? String ?? "") ?? .sha256,
                                          header: header, secret: Array(secret.utf8), prefix: verify["prefix"] as? String ?? ""))
        }
    }
}
