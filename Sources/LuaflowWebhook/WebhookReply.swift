/// What the webhook answers a request (status, a short JSON body, and for 503 a Retry-After).
struct WebhookReply: Sendable, Equatable {
    var status: Int
    var body: String
    var retryAfter: Int?

    static let committed = WebhookReply(status: 200, body: #"{"status":"committed"}"#)
    static let accepted = WebhookReply(status: 202, body: #"{"status":"accepted"}"#)
    static let duplicate = WebhookReply(status: 200, body: #"{"status":"duplicate"}"#)

    static func unavailable(_ reason: String, retryAfter: Int) -> WebhookReply {
        WebhookReply(status: 503, body: #"{"error":"\#(reason)"}"#, retryAfter: retryAfter)
    }

    /// The answer naming the delivery it acknowledges (`{"status":"committed","delivery":"d-1"}`),
    /// so a sender can match answers to deliveries.
    func naming(_ id: String?) -> WebhookReply {
        guard let id, (200..<300).contains(status) else { return self }
        var named = self
        named.body = String(body.dropLast()) + #","delivery":"# + Self.quoted(id) + "}"
        return named
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func rejected(_ status: Int, _ reason: String) -> WebhookReply {
        WebhookReply(status: status, body: #"{"error":"\#(reason)"}"#)
    }
}
