import Crypto
import Foundation

/// `verify = { hmac, header, secret, prefix }`: the sender signs the body with a shared secret
/// and sends `prefix` + the hex digest in `header`.
struct WebhookSignature: Sendable {
    enum Hash: String, Sendable {
        case sha256, sha512, sha1
    }

    let hash: Hash
    let header: String
    let secret: [UInt8]
    let prefix: String

    /// Whether `value` (the header's value, nil when absent) is the body's signature. The digest
    /// is compared in constant time (swift-crypto's `isValidAuthenticationCode`).
    func accepts(_ value: String?, body: some DataProtocol) -> Bool {
        guard let value, value.hasPrefix(prefix), let digest = Self.hexBytes(value.dropFirst(prefix.count)) else { return false }
        let key = SymmetricKey(data: secret)
        switch hash {
        case .sha256: return HMAC<SHA256>.isValidAuthenticationCode(digest, authenticating: body, using: key)
        case .sha512: return HMAC<SHA512>.isValidAuthenticationCode(digest, authenticating: body, using: key)
        case .sha1: return HMAC<Insecure.SHA1>.isValidAuthenticationCode(digest, authenticating: body, using: key)
        }
    }

    /// The signature header value a sender would send for `body` (tests and the benchmark's client
    /// compute the same).
    func sign(_ body: some DataProtocol) -> String {
        let key = SymmetricKey(data: secret)
        let mac: [UInt8]
        switch hash {
        case .sha256: mac = Array(HMAC<SHA256>.authenticationCode(for: body, using: key))
        case .sha512: mac = Array(HMAC<SHA512>.authenticationCode(for: body, using: key))
        case .sha1: mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: body, using: key))
        }
        return prefix + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Hex text (either case) as bytes; nil when it is not an even number of hex digits.
    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[i]), let low = nibble(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
