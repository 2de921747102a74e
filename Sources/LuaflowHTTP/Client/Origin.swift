import Foundation

/// Scheme, host and port of a URL: credentials are only ever sent to the origin they were
/// configured for, and rate limits are kept per ``hostKey``.
public struct Origin: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int

    /// Nil when `url` has no scheme or host.
    public init?(url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = components.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : 0)
    }

    /// `host:port`, the key under which rate limits are shared.
    public var hostKey: String { "\(host):\(port)" }

    public var description: String { "\(scheme)://\(host):\(port)" }
}
