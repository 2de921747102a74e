import Foundation

/// `luaflow run --backfill FROM..TO`: a one-off read of a past range by the sources that declare
/// `backfill = true`. Each reads the range as a stream of its own (`<stream> backfill FROM..TO`,
/// with its own resume point and cursor), so the live stream's cursor does not move, and a
/// backfill that stopped resumes when the same range is run again.
public struct BackfillRange: Sendable, Equatable {
    public var from: String
    public var to: String

    /// Parses `FROM..TO` (two values that are not empty, such as ISO-8601 dates); nil otherwise.
    public init?(_ text: String) {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        from = parts[0]
        to = parts[1]
    }

    /// The name of the stream `stream` reads this range as.
    func stream(of stream: String) -> String {
        (stream.isEmpty ? "" : stream + " ") + "backfill \(from)..\(to)"
    }

    /// `state.backfill` as JSON: `{"from": FROM, "to": TO}`.
    var stateJSON: String {
        let object = ["from": from, "to": to]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
