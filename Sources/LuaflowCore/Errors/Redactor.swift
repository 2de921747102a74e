import Foundation

/// Replaces known secret values with `***` in everything the host prints: logs, errors, check and
/// discover output, dead letters.
///
/// A secret is hidden in every form the host itself writes it in: as is, JSON-escaped (with `/`
/// plain or as `\/`, control characters short or as `\u00xx`) and percent-encoded (query strings
/// and form bodies, upper- or lowercase hex). Matching works on UTF-8 bytes, not on `Character`s,
/// so a secret followed by a combining mark or inside a longer grapheme is still found.
public final class Redactor: Sendable {
    public static let shared = Redactor()
    /// What a secret is replaced by.
    public static let mask = "***"

    /// The secrets registered, and every form of every one of them, longest first (so a secret
    /// containing another is hidden whole).
    private let secrets = Locked<(registered: Set<String>, patterns: [[UInt8]])>(([], []))

    public init() {}

    /// Registers a value to hide. Values shorter than 4 Unicode scalars are ignored (they would
    /// hide ordinary text).
    public func add(_ secret: String) {
        guard secret.unicodeScalars.count >= 4 else { return }
        secrets.withLock { secrets in
            guard secrets.registered.insert(secret).inserted else { return }
            secrets.patterns = Set(secrets.patterns).union(Self.forms(of: secret)).sorted { $0.count > $1.count }
        }
    }

    /// `text` with every form of every registered secret replaced by ``mask``.
    public func redact(_ text: String) -> String {
        let current = secrets.withLock { $0.patterns }
        guard !current.isEmpty else { return text }
        var bytes = Array(text.utf8)
        var changed = false
        for pattern in current where bytes.count >= pattern.count {
            if let replaced = Self.replacing(pattern, in: bytes) {
                bytes = replaced
                changed = true
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// The byte sequences `secret` appears as in the host's output.
    static func forms(of secret: String) -> Set<[UInt8]> {
        let raw = Array(secret.utf8)
        var forms: Set<[UInt8]> = [raw]
        for slash in [false, true] {
            for shortControls in [false, true] {
                forms.insert(jsonEscaped(raw, escapingSlash: slash, shortControls: shortControls))
            }
        }
        forms.insert(percentEncoded(raw, hex: Array("0123456789ABCDEF".utf8)))
        forms.insert(percentEncoded(raw, hex: Array("0123456789abcdef".utf8)))
        return forms
    }

    /// The content of a JSON string holding `bytes`, as the host's encoders write it.
    private static func jsonEscaped(_ bytes: [UInt8], escapingSlash: Bool, shortControls: Bool) -> [UInt8] {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "/") where escapingSlash: out += Array(#"\/"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x08 where shortControls: out += Array(#"\b"#.utf8)
            case 0x0C where shortControls: out += Array(#"\f"#.utf8)
            case 0..<0x20: out += Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        return out
    }

    /// `bytes` with everything but RFC 3986 unreserved characters written as `%XX`.
    private static func percentEncoded(_ bytes: [UInt8], hex: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return out
    }

    /// `bytes` with every occurrence of `pattern` replaced by ``mask``, or nil when there is none.
    private static func replacing(_ pattern: [UInt8], in bytes: [UInt8]) -> [UInt8]? {
        let mask = Array(Self.mask.utf8)
        var out: [UInt8] = []
        var copied = 0, i = 0
        let last = bytes.count - pattern.count
        while i <= last {
            if bytes[i] == pattern[0], bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                if out.isEmpty { out.reserveCapacity(bytes.count) }
                out += bytes[copied..<i]
                out += mask
                i += pattern.count
                copied = i
            } else {
                i += 1
            }
        }
        guard copied > 0 else { return nil }
        out += bytes[copied...]
        return out
    }
}
