/// The one rule for names that carry credentials: query parameters (`api_key`, `access_token`),
/// header fields (`X-Api-Key`, `Private-Token`) and settings (`token`, `auth.password`). Their values
/// are redacted in everything luaflow prints; other values, such as a base URL given as `env:NAME`,
/// are shown.
public enum CredentialNames {
    /// Names (lowercased, without `-`, `_` and `.`) that always carry credentials.
    static let names: Set<String> = [
        "apikey", "key", "token", "accesstoken", "refreshtoken", "idtoken", "authtoken", "password",
        "passwd", "pwd", "secret", "clientsecret", "signature", "sig", "auth", "authorization",
        "credential", "credentials", "sessionid", "privatetoken",
    ]

    /// Suffixes that make a name carry credentials: `x_amz_signature`, `github_token`, `app_secret`...
    static let suffixes = ["token", "secret", "signature", "password", "apikey", "credential"]

    /// Whether `name` carries a credential. Page tokens and cursors end in "token" but are not
    /// credentials: they stay readable for debugging.
    public static func contains(_ name: String) -> Bool {
        let folded = String(name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != "." })
        if names.contains(folded) { return true }
        if ["page", "cursor", "continuation", "sync"].contains(where: folded.contains) { return false }
        return suffixes.contains { folded.hasSuffix($0) }
    }

    /// Whether a setting's dotted path (`auth.bearer`, `headers.X-Api-Key`) names a credential:
    /// any of its keys does.
    public static func containsSetting(_ path: String) -> Bool {
        path.split(separator: ".").contains { contains(String($0.prefix { $0 != "[" })) }
    }
}
