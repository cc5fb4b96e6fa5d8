import Histogram
import SimulationEngine

/// BullMQ's queue and the workers that drain it: jobs wait in FIFO order, each worker process
/// runs up to `concurrency` of them at once, a failed attempt is retried after an exponential
/// backoff until its attempts run out, then dead-lettered.
///
/// Jobs are integer ids into a reusable array, like requests; the queue holds ids. What a job
/// does (its steps) is run by the simulation, which asks this type who runs next and tells it
/// how an attempt ended.
public struct JobQueue: Sendable {
    public struct Job: Sendable {
        public var type: Int32
        public var attempt: Int32
        public var user: Int32
        /// What the job carries: the recipients of a campaign batch (1 for a single job).
        public var rows: Int32
        public var created: Double
        /// When this attempt entered the queue (after any backoff).
        public var queued: Double
    }

    public private(set) var jobs = ContiguousArray<Job>()
    var freeJobs = ContiguousArray<Int32>()
    var queue = RingBuffer<Int32>(capacity: 64)
    /// Jobs running on each worker process.
    public private(set) var active: ContiguousArray<Int>
    public let concurrency: Int
    /// Jobs waiting, over time.
    public var length: TimeAverage
    /// Busy worker slots, over time.
    public var busySlots: TimeAverage

    // Per job type, in the measured window.
    public var enqueued: [Int]
    public var completed: [Int]
    public var failedAttempts: [Int]
    public var deadLettered: [Int]
    public var latency: [Histogram<UInt64>]

    public init(types: Int, workers: Int, concurrency: Int, origin: Double, histogram: () -> Histogram<UInt64>) {
        active = ContiguousArray(repeating: 0, count: workers)
        self.concurrency = concurrency
        length = TimeAverage(at: origin)
        busySlots = TimeAverage(at: origin)
        enqueued = Array(repeating: 0, count: types)
        completed = enqueued
        failedAttempts = enqueued
        deadLettered = enqueued
        latency = (0..<types).map { _ in histogram() }
    }

    /// Jobs waiting now.
    public var waiting: Int { queue.count }
    public var hasWorkers: Bool { !active.isEmpty }

    /// A new job (first attempt), not yet in the queue.
    public mutating func create(type: Int, user: Int32, rows: Int32 = 1, at now: Double, measuring: Bool) -> Int32 {
        if measuring { enqueued[type] += 1 }
        let job = Job(type: Int32(type), attempt: 1, user: user, rows: rows, created: now, queued: now)
        if let j = freeJobs.popLast() { jobs[Int(j)] = job; return j }
        jobs.append(job)
        return Int32(jobs.count - 1)
    }

    /// The job (or its retry, after the backoff) joins the end of the queue.
    public mutating func enqueue(_ j: Int32, at now: Double) {
        jobs[Int(j)].queued = now
        length.update(to: Double(queue.count + 1), at: now)
        queue.append(j)
    }

    /// The next job and the worker that takes it: the least busy worker (the first on a tie),
    /// if it has a free slot. Nil when nothing waits or every slot is taken.
    public mutating func assignNext(at now: Double) -> (job: Int32, worker: Int)? {
        guard !queue.isEmpty else { return nil }
        var best = 0
        for w in 1..<active.count where active[w] < active[best] { best = w }
        guard active[best] < concurrency, let j = queue.popFirst() else { return nil }
        length.update(to: Double(queue.count), at: now)
        active[best] += 1
        busySlots.add(1, at: now)
        return (j, best)
    }

    /// How an attempt ended, and what happens next.
    public enum Next: Sendable, Equatable {
        case done
        /// Back in the queue after this many seconds.
        case retry(after: Double)
        case deadLettered
    }

    /// An attempt of job `j` on `worker` ends. A failure is retried with delay
    /// `backoffBase x 2^(attempt-1)` until `maxAttempts`, then dead-lettered (counted only
    /// for jobs created in the measured window, so the share is of the window's jobs).
    public mutating func finish(_ j: Int32, worker: Int, failed: Bool, maxAttempts: Int, backoffBase: Double, at now: Double,
                                measuring: Bool, measureStart: Double) -> Next {
        let job = jobs[Int(j)]
        let type = Int(job.type)
        active[worker] -= 1
        busySlots.add(-1, at: now)
        if failed {
            if measuring { failedAttempts[type] += 1 }
            if Int(job.attempt) < maxAttempts {
                let delay = backoffBase * Double(1 << Int(Swift.min(job.attempt - 1, 20)))
                jobs[Int(j)].attempt += 1
                return .retry(after: delay)
            }
            if measuring && job.created >= measureStart { deadLettered[type] += 1 }
            freeJobs.append(j)
            return .deadLettered
        }
        if measuring {
            completed[type] += 1
            _ = latency[type].record(Swift.max(1, UInt64(saturating: ((now - job.created) * 1e6).rounded())))
        }
        freeJobs.append(j)
        return .done
    }

    public mutating func resetStatistics(at now: Double) {
        length.reset(at: now)
        busySlots.reset(at: now)
    }
}
