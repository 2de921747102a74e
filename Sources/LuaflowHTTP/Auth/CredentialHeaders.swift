/// Which header fields carry credentials, so that their values are redacted in logs and errors.
/// (What goes to another origin is decided by an allow list, ``CrossOriginHeaders``, not by this.)
enum CredentialHeaders {
    /// Header fields (lowercased) that always carry credentials.
    static let always: Set<String> = ["authorization", "proxy-authorization", "cookie"]

    /// Whether the header field `name` carries a credential: one of ``always``, or named like a
    /// credential (`X-Api-Key`, `Private-Token`, `X-Auth-Token`, `X-Client-Secret`...; see
    /// ``URLRedactor/isSensitiveParameter(_:)``).
    static func contains(_ name: String) -> Bool {
        always.contains(name.lowercased()) || URLRedactor.isSensitiveParameter(name)
    }
}
