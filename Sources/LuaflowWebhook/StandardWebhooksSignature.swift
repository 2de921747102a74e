import Crypto
import Foundation

/// `verify = { scheme = "standard_webhooks", secret = "whsec_..." }`: the Standard Webhooks
/// scheme (Svix's). The sender sends `webhook-id`, `webhook-timestamp` (Unix seconds) and
/// `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>` of
/// `"<id>.<timestamp>.<body>"`, keyed with the base64 part of the `whsec_` secret.
struct StandardWebhooksSignature: Sendable {
    let key: [UInt8]
    /// Seconds a timestamp may be away from now.
    let tolerance: Double

    /// Nil when `secret` (with or without `whsec_`) is not base64.
    init?(secret: String, tolerance: Double) {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let key = Data(base64Encoded: encoded), !key.isEmpty else { return nil }
        self.key = Array(key)
        self.tolerance = tolerance
    }

    /// Whether one of the `v1` signatures in `signatures` signs id, timestamp and body, and the
    /// timestamp is fresh. Compared in constant time (swift-crypto).
    func check(id: String?, timestamp: String?, signatures: String?, body: [UInt8], now: Double) -> WebhookVerifier.Verdict {
        guard let id, !id.isEmpty else { return .refused("webhook-id is missing") }
        let seconds: Int
        switch WebhookTimestamp.check(timestamp, now: now, tolerance: tolerance) {
        case .success(let value): seconds = value
        case .failure(let problem): return .refused(problem.reason)
        }
        let signed = Array("\(id).\(seconds).".utf8) + body
        let symmetric = SymmetricKey(data: key)
        for candidate in (signatures ?? "").split(separator: " ") {
            guard candidate.hasPrefix("v1,"), let mac = Data(base64Encoded: String(candidate.dropFirst(3))) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: symmetric) { return .accepted }
        }
        return .refused("the signature does not match")
    }
}
