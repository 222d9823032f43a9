import Synchronization

/// Runs a command's tasks on the thread that starts it, one job at a time.
///
/// Swift's default executor starts a pool of worker threads (and a timer thread) for the
/// first task: about a millisecond of a run that otherwise takes a few. One request waits on
/// the network, not on a CPU, so it loses nothing by staying on the main thread; what should
/// use both cores (`-j N`) asks for `globalConcurrentExecutor` where it starts its tasks.
/// Blocking work already runs on threads of its own (libcurl's driver, child processes).
final class CallingThreadExecutor: TaskExecutor {
    private let queue = Mutex<[UnownedJob]>([])
    /// Counts jobs enqueued; the only place the calling thread sleeps.
    private let ready = ThreadSemaphore()
    private let finished = Atomic<Bool>(false)

    private init() {}

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.append(job) }
        ready.signal()
    }

    /// Runs `body` as a task on the calling thread and returns when it has returned; tasks it
    /// left behind (unstructured, on the pool) are not waited for.
    static func run(_ body: sending @escaping () async -> Void) {
        let executor = CallingThreadExecutor()
        Task(executorPreference: executor) {
            await body()
            executor.finished.store(true, ordering: .releasing)
            executor.ready.signal()
        }
        executor.drain()
    }

    private func drain() {
        let me = asUnownedTaskExecutor()
        while true {
            ready.wait()
            let jobs = queue.withLock { jobs in
                defer { jobs = [] }
                return jobs
            }
            for job in jobs { job.runSynchronously(on: me) }
            if finished.load(ordering: .acquiring) { return }
        }
    }
}
