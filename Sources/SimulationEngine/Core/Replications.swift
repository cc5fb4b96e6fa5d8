import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs independent replications (or any independent jobs) on several threads.
///
/// Each job is identified by its index and must derive all its randomness from it (for
/// example `RandomStreams(masterSeed: seed, replication: index)`); results come back in index
/// order, so the output is the same whatever the number of threads or the order in which
/// they finish.
public enum ParallelRunner {
    /// The number of cores the system reports.
    public static var availableCores: Int { Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Runs `body(0) ... body(count - 1)` on up to `jobs` threads and returns the results in
    /// index order. `onFinish` is called (on a worker thread, serialised) after each job.
    public static func run<Result: Sendable>(
        count: Int,
        jobs: Int = ParallelRunner.availableCores,
        onFinish: (@Sendable (_ index: Int, _ finished: Int) -> Void)? = nil,
        _ body: @escaping @Sendable (Int) -> Result
    ) -> [Result] {
        precondition(count >= 0 && jobs >= 1)
        if count == 0 { return [] }
        let threads = Swift.min(jobs, count)
        if threads == 1 {
            var out: [Result] = []
            out.reserveCapacity(count)
            for i in 0..<count {
                out.append(body(i))
                onFinish?(i, i + 1)
            }
            return out
        }
        let state = Mutex<(next: Int, finished: Int, results: [Result?])>((0, 0, Array(repeating: nil, count: count)))
        let workers = (0..<threads).map { _ in
            WorkerThread {
                while true {
                    let index: Int? = state.withLock { s in
                        guard s.next < count else { return nil }
                        defer { s.next += 1 }
                        return s.next
                    }
                    guard let i = index else { return }
                    let r = body(i)
                    state.withLock { s in
                        s.results[i] = r
                        s.finished += 1
                        onFinish?(i, s.finished)
                    }
                }
            }
        }
        for w in workers { w.join() }
        return state.withLock { s in s.results.map { $0! } }
    }
}

/// A joinable POSIX thread with a large stack (deep model set-up must not overflow it).
final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t?.none
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, 16 << 20)
        let box = Unmanaged.passRetained(self)
        var t = pthread_t?.none
        #if canImport(Glibc)
        var tid = pthread_t()
        let rc = pthread_create(&tid, &attr, { raw in
            let me = Unmanaged<WorkerThread>.fromOpaque(raw!).takeRetainedValue()
            me.body()
            return nil
        }, box.toOpaque())
        t = tid
        #else
        let rc = pthread_create(&t, &attr, { raw in
            let me = Unmanaged<WorkerThread>.fromOpaque(raw).takeRetainedValue()
            me.body()
            return nil
        }, box.toOpaque())
        #endif
        precondition(rc == 0, "could not start a worker thread")
        pthread_attr_destroy(&attr)
        thread = t
    }

    func join() {
        guard let t = thread else { return }
        pthread_join(t, nil)
        thread = nil
    }
}
