import Foundation
import LuaflowCore

/// Live progress on standard error while a run goes on, redrawn in place four times a second
/// from the nodes' counters (read under their locks; the stage threads never wait for it).
final class ProgressDisplay: @unchecked Sendable {
    private let stats: [NodeStats]
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Whether to show progress: never with `--no-progress` or `-q`; forced by
    /// `LUAFLOW_PROGRESS=always` (or off with `never`); otherwise when standard error is a terminal.
    static func enabled(noProgress: Bool, quiet: Bool) -> Bool {
        if noProgress || quiet { return false }
        switch ProcessInfo.processInfo.environment["LUAFLOW_PROGRESS"] {
        case "always": return true
        case "never": return false
        default: return isatty(STDERR_FILENO) != 0
        }
    }

    /// Starts drawing on a dedicated thread.
    init(stats: [NodeStats]) {
        self.stats = stats
        let thread = Thread { [self] in loop() }
        thread.name = "luaflow:progress"
        thread.start()
    }

    /// Stops drawing and removes the display, so the summary follows the last log line.
    func stop() {
        stopped.signal()
        finished.wait()
    }

    private func loop() {
        let started = DispatchTime.now()
        var tracker = ProgressTracker()
        while stopped.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            let rows = tracker.update(stats.map { ($0.name, $0.role, $0.snapshot) }, at: elapsed)
            StderrLogHandler.redrawLive(ProgressFormatter.lines(rows, elapsed: elapsed))
        }
        StderrLogHandler.redrawLive([])
        finished.signal()
    }
}
