import Foundation
import Testing
@testable import LuaflowCore

/// A kind of ``StateBackend`` the contract tests run against, and how to set up an empty one.
struct StateBackendKind: Sendable, CustomTestStringConvertible {
    let name: String
    /// Sets up empty storage read with `clock`; returns what opens it for a pipeline (each call: a
    /// new instance, as another worker would have).
    let makeStorage: @Sendable (WallClock) throws -> (String) throws -> any StateBackend

    var testDescription: String { name }

    static let all = [sqlite]

    static let sqlite = StateBackendKind(name: "SQLite") { clock in
        let path = try Workspace().statePath
        return { try SQLiteStateBackend(path: path, pipeline: $0, clock: clock) }
    }

    /// Empty storage and the clock it reads, which the test moves.
    func storage() throws -> (clock: ManualClock, open: (String) throws -> any StateBackend) {
        let clock = ManualClock()
        return (clock, try makeStorage(clock.wallClock))
    }
}

/// A wall clock that stands still until the test moves it.
final class ManualClock: Sendable {
    private let milliseconds = Locked<Int64>(1_798_761_600_000) // 2027-01-01T00:00:00Z

    var now: Int64 { milliseconds.withLock { $0 } }

    var wallClock: WallClock { WallClock { [milliseconds] in milliseconds.withLock { $0 } } }

    func advance(seconds: Double) {
        milliseconds.withLock { $0 += Int64(seconds * 1000) }
    }
}
