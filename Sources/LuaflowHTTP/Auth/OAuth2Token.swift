import Foundation

/// An access token and when to stop using it. Pure: the clock reading is passed in.
public struct OAuth2Token: Sendable, Equatable {
    /// Renew this long before the server's expiry (or after half the lifetime for short-lived tokens).
    public static let refreshMargin: Double = 60

    public var accessToken: String
    /// Monotonic clock reading after which the token must be renewed; nil when the server gave no `expires_in`.
    public var refreshAt: Double?

    public init(accessToken: String, refreshAt: Double?) {
        self.accessToken = accessToken
        self.refreshAt = refreshAt
    }

    /// Reads a token endpoint's JSON answer (`access_token`, `expires_in` as a number or a string).
    /// - Parameter obtainedAt: the clock reading when the request was sent.
    public static func parse(_ body: [UInt8], obtainedAt: Double) -> OAuth2Token? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let token = object["access_token"] as? String, !token.isEmpty else { return nil }
        var lifetime: Double?
        if let number = object["expires_in"] as? NSNumber { lifetime = number.doubleValue }
        if let text = object["expires_in"] as? String { lifetime = Double(text) }
        let refreshAt = lifetime.flatMap { $0 > 0 ? obtainedAt + $0 - min(refreshMargin, $0 / 2) : nil }
        return OAuth2Token(accessToken: token, refreshAt: refreshAt)
    }

    /// Whether the token should be renewed before use at `now`.
    public func needsRefresh(now: Double) -> Bool {
        refreshAt.map { now >= $0 } ?? false
    }
}
