/// When each `every(seconds, fn)` timer of a node is due, on a monotonic clock in nanoseconds that
/// the caller reads (so tests need no clock). Timers are added while the script's top level runs,
/// then the schedule is sealed; a timer late by several periods fires once and stays on its beat.
struct TimerSchedule {
    private(set) var intervals: [UInt64] = []
    private var due: [UInt64] = []
    private(set) var sealed = false

    var isEmpty: Bool { intervals.isEmpty }

    /// Adds a timer; returns its number (1, 2...), or nil once sealed.
    mutating func add(seconds: Double, now: UInt64) -> Int? {
        guard !sealed else { return nil }
        let interval = max(1, UInt64(seconds * 1e9))
        intervals.append(interval)
        due.append(now + interval)
        return intervals.count
    }

    mutating func seal() { sealed = true }

    /// Starts every timer's first period at `now` (the node starts running).
    mutating func start(now: UInt64) {
        due = intervals.map { now + $0 }
    }

    /// The numbers of the timers due at `now`, each moved on to its next beat after `now`.
    mutating func takeDue(now: UInt64) -> [Int] {
        var fired: [Int] = []
        for i in due.indices where due[i] <= now {
            fired.append(i + 1)
            let missed = (now - due[i]) / intervals[i]
            due[i] += (missed + 1) * intervals[i]
        }
        return fired
    }

    /// Nanoseconds until the next timer is due (0: one is due now); nil without timers.
    func untilNext(now: UInt64) -> UInt64? {
        due.min().map { $0 > now ? $0 - now : 0 }
    }
}
