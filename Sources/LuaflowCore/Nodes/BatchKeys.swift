import Crypto
import Foundation

/// Idempotency keys for a sink's batches: a digest of the pipeline file, the node, the logical
/// run (its start time, kept across resumes) and the batch's position and size. A batch sent
/// again, by a retry or by a resumed run, gets the same key; another run's batches never do.
struct BatchKeys {
    let pipeline: String
    let node: String
    var run: String

    /// The key of the batch whose first record is number `position`, holding `records` records.
    func key(position: Int, records: Int) -> String {
        let text = ["luaflow", pipeline, node, run, String(position), String(records)].joined(separator: "\u{0}")
        let digest = SHA256.hash(data: Data(text.utf8))
        return digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
