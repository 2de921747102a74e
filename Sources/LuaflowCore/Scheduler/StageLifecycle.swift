import Foundation

/// Tells observers when a stage's nodes start (its first worker starts) and end (its last worker
/// ends, with the first error any worker hit).
final class StageLifecycle: @unchecked Sendable {
    private let nodes: [String]
    private let observers: [any RunObserver]
    private let lock = NSLock()
    private var started = 0
    private var running: Int
    private var error: (any Error)?

    init(nodes: [String], workers: Int, observers: [any RunObserver]) {
        self.nodes = nodes
        self.observers = observers
        running = workers
    }

    func workerStarted() {
        let first = lock.withLock {
            started += 1
            return started == 1
        }
        guard first else { return }
        for node in nodes { observers.forEach { $0.nodeStarted(node) } }
    }

    func workerFinished(error: (any Error)?) {
        let (last, failure): (Bool, (any Error)?) = lock.withLock {
            if self.error == nil { self.error = error }
            running -= 1
            return (running == 0, self.error)
        }
        guard last else { return }
        for node in nodes.reversed() { observers.forEach { $0.nodeFinished(node, error: failure) } }
    }
}
