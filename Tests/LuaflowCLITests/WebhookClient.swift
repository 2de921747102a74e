import Crypto
import Foundation

/// A webhook sender for the tests: one blocking HTTP/1.1 POST per connection over a plain socket
/// (no pooled connection outlives a killed server), signing bodies as `verify = { hmac = "sha256",
/// header = "X-Signature", prefix = "sha256=" }` expects.
struct WebhookClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    let port: Int
    var path = "/hooks/orders"
    var secret = "hook-secret"

    /// `sha256=` + the hex HMAC-SHA256 of `body` under `secret`.
    func signature(_ body: String, secret: String? = nil) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array((secret ?? self.secret).utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Posts `body` signed (or with `signature` as given, nil: none) and `headers`; nil when the
    /// connection failed (nobody listening, reset, or no answer within `timeout` seconds).
    func post(_ body: String, signed: Bool = true, signature: String? = nil, headers: [String: String] = [:],
              host: String = "127.0.0.1", timeout: Double = 10) -> Response? {
        var all = headers
        if signed { all["X-Signature"] = signature ?? self.signature(body) }
        let payload = Array(body.utf8)
        var request = "POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n"
        for (name, value) in all.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        return exchange(Array((request + "\r\n").utf8) + payload, host: host, timeout: timeout)
    }

    /// Sends raw bytes and reads the answer until the server closes.
    func exchange(_ bytes: [UInt8], host: String = "127.0.0.1", timeout: Double = 10) -> Response? {
        let ipv6 = host.contains(":")
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &address.sin6_addr)
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard connected == 0 else { return nil }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }  // a child process of another test ended
            if n <= 0 { break }
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return Self.parse(String(decoding: answer, as: UTF8.self))
    }

    static func parse(_ text: String) -> Response? {
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    /// Posts until the server answers (it is starting), up to `seconds`.
    func waitUntilListening(_ seconds: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if exchange(Array("GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), timeout: 2) != nil { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// A port nobody listens on now (bound to port 0 and released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 ? getsockname(fd, $0, &length) : -1 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
