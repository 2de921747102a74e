import Foundation

extension HTTPSessionConfig {
    /// The secret values of this config, to register with `Redactor.shared`: the auth
    /// credentials, and the values of header fields that carry credentials (with `Bearer abc`'s
    /// `abc` on its own too, as servers echo it and logs show it).
    var credentials: [String] {
        var values = auth?.secrets ?? []
        for (name, value) in headers where CredentialHeaders.contains(name) {
            values.append(value)
            if let space = value.firstIndex(of: " ") { values.append(String(value[value.index(after: space)...])) }
        }
        return values
    }

    /// The credentials in the `auth` and `headers` settings of a node's config (the JSON the
    /// host hands a built-in such as `source.http`), known before any of its code runs. Settings
    /// that do not decode give none: the session built from them later fails with its own error.
    static func credentials(inNodeConfig json: [UInt8]) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else { return [] }
        var values: [String] = []
        for key in ["auth", "headers"] {
            guard let setting = object[key],
                  let data = try? JSONSerialization.data(withJSONObject: [key: setting]),
                  let config = try? decode(json: data) else { continue }
            values += config.credentials
        }
        return values
    }
}
