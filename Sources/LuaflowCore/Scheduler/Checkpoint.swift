import Foundation

/// A source's position after the batches it sent before this marker. Once every sink downstream
/// has durably written those batches and acknowledged the marker, the position is committed.
final class Checkpoint: Sendable {
    /// The source's node id.
    let source: Int
    /// Markers of one source are numbered from 1 in the order sent.
    let sequence: Int
    let state: StreamState
    /// Records the source delivered in this run before the marker.
    let produced: Int
    /// When the source emitted the marker (`DispatchTime` nanoseconds), for the checkpoint lag.
    let emitted = DispatchTime.now().uptimeNanoseconds

    init(source: Int, sequence: Int, state: StreamState, produced: Int) {
        self.source = source
        self.sequence = sequence
        self.state = state
        self.produced = produced
    }
}
