import Foundation

/// How `verify` checks a request, by its `scheme`:
///
/// - `hmac`: ``WebhookSignature``, an HMAC of the body alone. It proves the body came from
///   someone holding the secret and was not changed, but a captured request can be sent again
///   at any time (under a new delivery id too).
/// - `standard_webhooks` (Svix): ``StandardWebhooksSignature``, an HMAC of id, timestamp and
///   body; stale timestamps and a repeated `webhook-id` within `tolerance` are refused.
/// - `stripe`: ``StripeSignature``, an HMAC of timestamp and body; stale timestamps are refused.
enum WebhookVerifier: Sendable {
    case hmac(WebhookSignature)
    case standardWebhooks(StandardWebhooksSignature)
    case stripe(StripeSignature)

    /// What a check found.
    enum Verdict: Equatable, Sendable {
        case accepted
        /// Refused with 401: the reason, for the answer's body (it never holds the secret).
        case refused(String)
    }

    /// Checks a request's headers (`header(name)`, any case) and body at `now` (Unix seconds).
    func check(header: (String) -> String?, body: [UInt8], now: Double) -> Verdict {
        switch self {
        case .hmac(let signature):
            return signature.accepts(header(signature.header), body: body) ? .accepted : .refused("the signature does not match")
        case .standardWebhooks(let signature):
            return signature.check(id: header("webhook-id"), timestamp: header("webhook-timestamp"),
                                   signatures: header("webhook-signature"), body: body, now: now)
        case .stripe(let signature):
            return signature.check(header(StripeSignature.header), body: body, now: now)
        }
    }

    /// The delivery id whose repetition within the tolerance is refused (Standard Webhooks'
    /// `webhook-id`), with the time it stops mattering (Unix seconds); nil for other schemes.
    func replayKey(header: (String) -> String?) -> (id: String, expires: Double)? {
        guard case .standardWebhooks(let signature) = self, let id = header("webhook-id"),
              let timestamp = header("webhook-timestamp").flatMap(Double.init) else { return nil }
        return (id, timestamp + signature.tolerance)
    }
}
