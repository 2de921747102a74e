import Foundation

/// What a database sink stores at a checkpoint (``SinkToken/data``): the last load it committed
/// in the destination together with its rows, and whether a replace awaits publishing.
struct LoadToken: Codable, Equatable, Sendable {
    /// The id of the last load committed (nil: none yet).
    var load: Int64?
    /// The table the loads went into (a replace's shadow table).
    var table: String
    /// The run finished loading; `publish` (a replace's swap) is what remains.
    var final: Bool

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    init(load: Int64?, table: String, final: Bool) {
        self.load = load
        self.table = table
        self.final = final
    }

    init?(json: String?) {
        guard let json, let token = try? JSONDecoder().decode(LoadToken.self, from: Data(json.utf8)) else { return nil }
        self = token
    }
}
