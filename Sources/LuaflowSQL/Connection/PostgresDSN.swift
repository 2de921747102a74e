import Foundation
import LuaflowCore

/// Where a PostgreSQL database is and how to log in: a libpq-style URL,
/// `postgres://user:password@host:port/database?sslmode=disable`, or `env:NAME` naming an
/// environment variable that holds one. User, password and database are percent-decoded;
/// `host=/dir` in the query selects the unix socket in `/dir` instead of TCP.
///
/// The password (and the whole text) is registered with the ``Redactor`` as soon as it is parsed,
/// so no error or log line shows it; ``description`` writes it as `***`.
public struct PostgresDSN: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode`: `disable` (plain), `prefer` (TLS when the server offers it), `require`
    /// (TLS, the certificate unchecked), `verify-full` (TLS, certificate and host name checked).
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// The directory of the server's unix socket (`?host=/dir`), when not TCP.
    public var socketDirectory: String?
    public var sslMode: SSLMode

    /// Parses `text` (a URL, or `env:NAME` resolved from `environment`). Throws a ``SQLError`` of
    /// kind `.configuration` that never contains the password.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var text = text
        if text.hasPrefix("env:") {
            let name = String(text.dropFirst(4))
            guard let value = environment[name] else {
                throw SQLError(.configuration, "environment variable \(name) is not set (the DSN says \"env:\(name)\")")
            }
            text = value
        }
        guard let schemeEnd = text.range(of: "://"), ["postgres", "postgresql"].contains(text[..<schemeEnd.lowerBound]) else {
            throw SQLError(.configuration, "a PostgreSQL DSN starts with postgres:// (postgres://user:password@host:5432/database)")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query: [(String, String)] = []
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...].split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return (Self.decoded(parts[0]), parts.count > 1 ? Self.decoded(parts[1]) : "")
            }
            rest = rest[..<mark]
        }
        var authority = rest
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        var hostPort = authority
        user = ""
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = Self.decoded(userInfo[..<colon])
                password = Self.decoded(userInfo[userInfo.index(after: colon)...])
            } else {
                user = Self.decoded(userInfo)
            }
        }
        if let password { Redactor.shared.add(password) }
        host = "localhost"
        port = 5432
        if let colon = hostPort.lastIndex(of: ":") {
            guard let number = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(number) else {
                throw SQLError(.configuration, "the port in the DSN is not a number from 1 to 65535")
            }
            port = number
            hostPort = hostPort[..<colon]
        }
        if !hostPort.isEmpty { host = Self.decoded(hostPort) }
        database = Self.decoded(path)
        sslMode = .prefer
        for (key, value) in query {
            switch key {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw SQLError(.configuration, "sslmode=\(value) is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "host": socketDirectory = value
            case "user": user = value
            case "dbname": database = value
            default:
                throw SQLError(.configuration, "unknown DSN parameter `\(key)` (known: sslmode, host, user, dbname)")
            }
        }
        guard !user.isEmpty else { throw SQLError(.configuration, "the DSN names no user (postgres://user:password@host/database)") }
        if database.isEmpty { database = user }
    }

    /// Whether `text` is a PostgreSQL DSN (rather than, say, a SQLite file path).
    public static func isDSN(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// The DSN with the password written as `***`.
    public var description: String {
        let login = password == nil ? user : "\(user):\(Redactor.mask)"
        let socket = socketDirectory.map { " (unix socket in \($0))" } ?? ""
        return "postgres://\(login)@\(host):\(port)/\(database)\(socket)"
    }

    private static func decoded(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }
}
