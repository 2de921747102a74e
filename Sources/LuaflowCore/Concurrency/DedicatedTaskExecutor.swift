import Foundation

/// A `TaskExecutor` with threads of its own, for the async work behind blocking calls
/// (``BlockingCallRegistry``: HTTP requests and pages, database queries).
///
/// A thread that blocks while waiting for that work may itself be a thread of Swift's cooperative
/// pool (a synchronous test function, or code waiting for a stage that calls HTTP). The pool has
/// only as many threads as cores; if the work needed the pool too, two such waiters on a 2-core
/// machine would deadlock the process. Work started here never needs the pool: tasks prefer this
/// executor, and so do their child tasks, their continuations and the sleeps they await.
///
/// The jobs are short (the I/O runs on SwiftNIO's event loops), so a few threads serve every stage.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *)
public final class DedicatedTaskExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor every blocking call uses.
    public static let shared = DedicatedTaskExecutor(threads: 2, name: "luaflow-io")

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []  // guarded by `condition`
    private var next = 0                 // index of the first job not yet taken

    init(threads: Int, name: String) {
        for number in 1...max(1, threads) {
            let thread = Thread { [unowned self] in self.serve() }
            thread.name = "\(name)-\(number)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs jobs as they come, forever (the executor lives as long as the process).
    private func serve() {
        while true {
            condition.lock()
            while next == jobs.count { condition.wait() }
            let job = jobs[next]
            next += 1
            if next == jobs.count || next > 1024 {  // drop the jobs already taken
                jobs.removeFirst(next)
                next = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
