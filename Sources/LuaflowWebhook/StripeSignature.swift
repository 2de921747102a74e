import Crypto
import Foundation

/// `verify = { scheme = "stripe", secret = "whsec_..." }`: Stripe's scheme. The sender sends
/// `Stripe-Signature: t=<Unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]` of `"<t>.<body>"`, keyed
/// with the whole secret as text.
struct StripeSignature: Sendable {
    static let header = "Stripe-Signature"

    let secret: [UInt8]
    /// Seconds a timestamp may be away from now.
    let tolerance: Double

    /// Whether `value` holds a fresh `t` and a `v1` that signs it with the body. Compared in
    /// constant time (swift-crypto).
    func check(_ value: String?, body: [UInt8], now: Double) -> WebhookVerifier.Verdict {
        var timestamp: String?
        var signatures: [Substring] = []
        for item in (value ?? "").split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            switch parts[0].trimmingCharacters(in: .whitespaces) {
            case "t": timestamp = String(parts[1])
            case "v1": signatures.append(parts[1])
            default: break  // v0 (test mode's old scheme) and others are not trusted
            }
        }
        let seconds: Int
        switch WebhookTimestamp.check(timestamp, now: now, tolerance: tolerance) {
        case .success(let value): seconds = value
        case .failure(let problem): return .refused(problem.reason)
        }
        let signed = Array("\(seconds).".utf8) + body
        let key = SymmetricKey(data: secret)
        for candidate in signatures {
            guard let mac = WebhookSignature.hexBytes(candidate) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: key) { return .accepted }
        }
        return .refused("the signature does not match")
    }
}
