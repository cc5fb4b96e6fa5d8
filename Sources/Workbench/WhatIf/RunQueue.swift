import Foundation
import Synchronization

/// The what-ifs the pages asked for: at most `limits.concurrentRuns` simulate at once, at most
/// `limits.queuedRuns` more wait (first come, first served), and a what-if whose page went away
/// is cancelled after a grace period. Finished what-ifs stay for their pages, the oldest
/// dropped past `limits.finishedRunsKept`.
actor RunQueue {
    let limits: WorkbenchLimits
    let threads: Int
    nonisolated let baselines = BaselineCache()
    private var waiting: [WhatIfJob] = []
    private var running: Set<String> = []
    private var jobs: [String: WhatIfJob] = [:]
    private var ended: [String] = []
    private var counter = 0
    /// The baseline being made ahead of a what-if, and the flag that stops it.
    private var prefetch: (key: BaselineCache.Key, stop: StopFlag)?

    /// A flag shared with the thread that makes a baseline ahead.
    final class StopFlag: Sendable {
        private let flag = Mutex(false)
        var isSet: Bool { flag.withLock { $0 } }
        func set() { flag.withLock { $0 = true } }
    }

    struct Full: Error, CustomStringConvertible {
        var waiting: Int
        var description: String { "the run queue is full (\(waiting) what-ifs waiting); try again when one has finished" }
    }

    init(limits: WorkbenchLimits, threads: Int) {
        self.limits = limits
        self.threads = threads
    }

    /// Queues a what-if and starts it when a slot is free.
    func submit(_ prepared: PreparedWhatIf) throws(Full) -> WhatIfJob {
        guard running.count < limits.concurrentRuns || waiting.count < limits.queuedRuns else {
            throw Full(waiting: waiting.count)
        }
        // A baseline made ahead for another what-if gives way to the one asked for.
        if let ahead = prefetch, ahead.key != BaselineCache.Key(prepared) { ahead.stop.set() }
        counter += 1
        let job = WhatIfJob(id: "w\(counter)", prepared: prepared)
        jobs[job.id] = job
        waiting.append(job)
        startWaiting()
        return job
    }

    func job(_ id: String) -> WhatIfJob? { jobs[id] }

    func status(_ id: String) -> WhatIfJob.Status? {
        guard let job = jobs[id] else { return nil }
        return job.status(position: waiting.firstIndex { $0.id == id }.map { $0 + 1 })
    }

    /// Counts of what-ifs running and waiting.
    var load: (running: Int, waiting: Int) { (running.count, waiting.count) }

    /// Cancels a what-if; false when it had already ended or is unknown.
    @discardableResult
    func cancel(_ id: String, reason: String) -> Bool {
        guard let job = jobs[id], job.cancel(reason: reason) else { return false }
        if let i = waiting.firstIndex(where: { $0.id == id }) {
            waiting.remove(at: i)
            retire(job)
        }
        return true
    }

    /// Makes the baseline of a what-if being filled in, so that when it is run only its own
    /// side remains to simulate. Only when nothing asked for is running or waiting; a newer
    /// request replaces an older one.
    func prefetchBaseline(_ prepared: PreparedWhatIf) {
        let key = BaselineCache.Key(prepared)
        guard running.isEmpty, waiting.isEmpty, baselines.runs(for: key) == nil, !baselines.isInFlight(key) else { return }
        prefetch?.stop.set()
        let stop = StopFlag()
        prefetch = (key, stop)
        let threads = self.threads, baselines = self.baselines
        let thread = Thread { [self] in
            WhatIfExecution.prefetchBaseline(prepared, threads: threads, baselines: baselines, isCancelled: { stop.isSet })
            Task { await self.prefetchEnded(stop) }
        }
        thread.stackSize = 16 << 20
        thread.name = "baseline ahead"
        thread.start()
    }

    private func prefetchEnded(_ stop: StopFlag) {
        if prefetch?.stop === stop { prefetch = nil }
    }

    /// A page stopped watching `job`: unless one watches it again within the grace period,
    /// the what-if is cancelled (a closed tab cancels its run).
    func listenerLeft(_ job: WhatIfJob) async {
        let generation = job.listenerLeft()
        if limits.disconnectGraceS > 0 { try? await Task.sleep(for: .seconds(limits.disconnectGraceS)) }
        if job.abandoned(since: generation) { cancel(job.id, reason: "cancelled: the page watching it was closed") }
    }

    private func startWaiting() {
        while running.count < limits.concurrentRuns, !waiting.isEmpty {
            let job = waiting.removeFirst()
            guard job.start() else { retire(job); continue }
            running.insert(job.id)
            let threads = self.threads, baselines = self.baselines
            // A thread of its own with a large stack, as the engine's workers have: with one
            // thread the runs are made on it, and setting up a model recurses deeply.
            let thread = Thread { [self] in
                job.finish(WhatIfExecution.run(job, threads: threads, baselines: baselines))
                Task { await self.finished(job) }
            }
            thread.stackSize = 16 << 20
            thread.name = "what-if \(job.id)"
            thread.start()
        }
    }

    private func finished(_ job: WhatIfJob) {
        running.remove(job.id)
        retire(job)
        startWaiting()
    }

    private func retire(_ job: WhatIfJob) {
        ended.append(job.id)
        while ended.count > limits.finishedRunsKept { jobs.removeValue(forKey: ended.removeFirst()) }
    }
}
